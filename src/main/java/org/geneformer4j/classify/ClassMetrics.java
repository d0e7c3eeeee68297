package org.geneformer4j.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.metrics.RocCurve;
import org.geneformer4j.util.AtomicFile;

/**
 * What upstream's evaluate_model reports, from logits and true classes: accuracy, macro F1 (scikit-learn's),
 * per-class precision and recall, the confusion matrix, the mean cross-entropy, and for two classes the ROC curve
 * of p(second class) with its AUC. The prediction is the first class of highest probability.
 */
public record ClassMetrics(List<String> classes, int[] truth, int[] predicted, double[][] probabilities, double loss,
        ConfusionMatrix confusion, RocCurve roc) {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** @param logits one row of class logits per example */
    public static ClassMetrics of(List<String> classes, int[] truth, List<float[]> logits) {
        int n = truth.length;
        int[] pred = new int[n];
        double[][] prob = new double[n][];
        double loss = 0;
        for (int i = 0; i < n; i++) {
            prob[i] = softmax(logits.get(i));
            loss -= Math.log(Math.max(prob[i][truth[i]], Double.MIN_VALUE));
            pred[i] = argmax(prob[i]);
        }
        RocCurve roc = null;
        if (classes.size() == 2) {
            double[] score = new double[n];
            boolean[] pos = new boolean[n];
            int npos = 0;
            for (int i = 0; i < n; i++) {
                score[i] = prob[i][1];
                pos[i] = truth[i] == 1;
                npos += pos[i] ? 1 : 0;
            }
            roc = npos > 0 && npos < n ? RocCurve.of(score, pos) : null;
        }
        return new ClassMetrics(classes, truth, pred, prob, n == 0 ? Double.NaN : loss / n, ConfusionMatrix.of(classes, truth, pred), roc);
    }

    /** Class probabilities of each row of logits. */
    public static double[][] probabilities(List<float[]> logits) {
        double[][] p = new double[logits.size()][];
        for (int i = 0; i < p.length; i++) {
            p[i] = softmax(logits.get(i));
        }
        return p;
    }

    static double[] softmax(float[] logits) {
        double max = Double.NEGATIVE_INFINITY;
        for (float v : logits) {
            max = Math.max(max, v);
        }
        double[] p = new double[logits.length];
        double sum = 0;
        for (int k = 0; k < p.length; k++) {
            p[k] = Math.exp(logits[k] - max);
            sum += p[k];
        }
        for (int k = 0; k < p.length; k++) {
            p[k] /= sum;
        }
        return p;
    }

    public static int argmax(double[] p) {
        int best = 0;
        for (int k = 1; k < p.length; k++) {
            if (p[k] > p[best]) {
                best = k;
            }
        }
        return best;
    }

    /** The figures the trainer logs and selects on. */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        m.put("accuracy", confusion.accuracy());
        m.put("macro_f1", confusion.macroF1());
        if (roc != null) {
            m.put("auc", roc.auc());
        }
        return m;
    }

    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("examples", truth.length);
        summary().forEach(o::put);
        ObjectNode per = o.putObject("per_class");
        for (int k = 0; k < classes.size(); k++) {
            long support = 0;
            for (long v : confusion.counts()[k]) {
                support += v;
            }
            ObjectNode c = per.putObject(classes.get(k));
            c.put("precision", confusion.precision(k));
            c.put("recall", confusion.recall(k));
            c.put("f1", confusion.f1(k));
            c.put("support", support);
        }
        ArrayNode cm = o.putArray("confusion_matrix");
        for (long[] row : confusion.counts()) {
            ArrayNode r = cm.addArray();
            for (long v : row) {
                r.add(v);
            }
        }
        o.putPOJO("classes", classes);
        if (roc != null) {
            ObjectNode r = o.putObject("roc");
            r.putPOJO("fpr", roc.fpr());
            r.putPOJO("tpr", roc.tpr());
        }
        return o;
    }

    public void writeJson(Path file) {
        try {
            AtomicFile.writeString(file, JSON.writeValueAsString(json()) + "\n");
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
