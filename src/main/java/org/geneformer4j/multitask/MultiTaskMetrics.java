package org.geneformer4j.multitask;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.geneformer4j.classify.ClassMetrics;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.engine.BatchPlan;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;

/**
 * A multi-task model's figures on a set of cells: per task, {@link ClassMetrics} over the cells labelled for it
 * (accuracy, macro F1, mean cross-entropy, ...), as upstream's per-task evaluation; overall, the loss the model
 * trains on (sum of weight x task loss), the same with equal weights ({@code unweighted_loss}, the tuning
 * objective), and the means of accuracy and macro F1 over the tasks.
 */
public final class MultiTaskMetrics {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final List<MultiTaskCells.TaskLabels> tasks;
    private final double[] weights;
    private final List<LabeledCell> cells;
    private final MultiTaskCells data;
    private final double[][][] prob; // [task][cell][class]
    private final ClassMetrics[] perTask; // null for a task no cell of the set is labelled for

    private MultiTaskMetrics(MultiTaskCells data, double[] weights, List<LabeledCell> cells, double[][][] prob, ClassMetrics[] perTask) {
        this.tasks = data.tasks();
        this.data = data;
        this.weights = weights;
        this.cells = cells;
        this.prob = prob;
        this.perTask = perTask;
    }

    /** Runs {@code model} (in eval mode, without gradients) over {@code cells}, longest first in batches of {@code batch}. */
    public static MultiTaskMetrics of(MultiTaskModel model, MultiTaskCells data, List<LabeledCell> cells, double[] weights, int batch) {
        int nt = data.tasks().size();
        float[][][] logits = new float[nt][cells.size()][];
        int[] lengths = cells.stream().mapToInt(LabeledCell::length).toArray();
        boolean wasTraining = model.encoder().training();
        model.encoder().train(false);
        try (NoGradGuard g = new NoGradGuard()) {
            for (int[] idx : BatchPlan.plan(lengths, batch, (long) batch * 4096, false)) {
                try (PointerScope scope = new PointerScope()) {
                    List<int[]> tokens = new ArrayList<>(idx.length);
                    for (int i : idx) {
                        tokens.add(cells.get(i).tokens());
                    }
                    TokenBatch b = TokenBatch.of(tokens, model.encoder().config().padTokenId());
                    var dev = model.encoder().device();
                    MultiTaskModel.Output out = model.forward(b.idsTensor(dev), b.maskTensor(dev));
                    for (int t = 0; t < nt; t++) {
                        float[] l = Tensors.floatArray(out.logits().get(t));
                        int k = data.tasks().get(t).classes().size();
                        for (int r = 0; r < idx.length; r++) {
                            logits[t][idx[r]] = java.util.Arrays.copyOfRange(l, r * k, (r + 1) * k);
                        }
                    }
                }
            }
        } finally {
            model.encoder().train(wasTraining);
        }
        return of(data, cells, weights, logits);
    }

    /** The figures from per-task logits {@code [task][cell][class]} of {@code cells}. */
    static MultiTaskMetrics of(MultiTaskCells data, List<LabeledCell> cells, double[] weights, float[][][] logits) {
        int nt = data.tasks().size();
        double[][][] prob = new double[nt][][];
        ClassMetrics[] per = new ClassMetrics[nt];
        for (int t = 0; t < nt; t++) {
            prob[t] = ClassMetrics.probabilities(List.of(logits[t]));
            List<float[]> labelled = new ArrayList<>();
            List<Integer> truth = new ArrayList<>();
            for (int i = 0; i < cells.size(); i++) {
                int y = data.labelsOf(cells.get(i))[t];
                if (y >= 0) {
                    labelled.add(logits[t][i]);
                    truth.add(y);
                }
            }
            per[t] = truth.isEmpty() ? null
                    : ClassMetrics.of(data.tasks().get(t).classes(), truth.stream().mapToInt(Integer::intValue).toArray(), labelled);
        }
        return new MultiTaskMetrics(data, weights, cells, prob, per);
    }

    /** The task's metrics, or null when no cell of the set is labelled for it. */
    public ClassMetrics task(int t) {
        return perTask[t];
    }

    /** Overall figures, then {@code TASK.loss}, {@code TASK.accuracy}, {@code TASK.macro_f1} per task: what the trainer logs. */
    public Map<String, Double> summary() {
        Map<String, Double> m = new LinkedHashMap<>();
        double loss = 0, unweighted = 0, acc = 0, f1 = 0;
        int n = 0;
        for (int t = 0; t < perTask.length; t++) {
            if (perTask[t] == null) {
                continue;
            }
            loss += weights[t] * perTask[t].loss();
            unweighted += perTask[t].loss();
            acc += perTask[t].confusion().accuracy();
            f1 += perTask[t].confusion().macroF1();
            n++;
        }
        m.put("loss", n == 0 ? Double.NaN : loss);
        m.put("unweighted_loss", n == 0 ? Double.NaN : unweighted / n);
        m.put("accuracy", n == 0 ? Double.NaN : acc / n);
        m.put("macro_f1", n == 0 ? Double.NaN : f1 / n);
        for (int t = 0; t < perTask.length; t++) {
            if (perTask[t] != null) {
                String c = tasks.get(t).column();
                m.put(c + ".loss", perTask[t].loss());
                m.put(c + ".accuracy", perTask[t].confusion().accuracy());
                m.put(c + ".macro_f1", perTask[t].confusion().macroF1());
            }
        }
        return m;
    }

    /** metrics.json's entry for the set: the overall figures and each task's full {@link ClassMetrics#json()}. */
    public ObjectNode json() {
        ObjectNode o = JSON.createObjectNode();
        o.put("examples", cells.size());
        Map<String, Double> s = summary();
        for (String k : List.of("loss", "unweighted_loss", "accuracy", "macro_f1")) {
            o.put(k, s.get(k));
        }
        ObjectNode w = o.putObject("task_weights");
        ObjectNode ts = o.putObject("tasks");
        for (int t = 0; t < tasks.size(); t++) {
            w.put(tasks.get(t).column(), weights[t]);
            if (perTask[t] == null) {
                ts.putObject(tasks.get(t).column()).put("examples", 0);
            } else {
                ts.set(tasks.get(t).column(), perTask[t].json());
            }
        }
        return o;
    }

    /**
     * predictions.csv: per cell its id, then per task the true label (empty when unknown), the predicted class and
     * {@code TASK_prob_CLASS} for each class.
     */
    public void writePredictions(Path file) {
        StringBuilder sb = new StringBuilder("cell_id");
        for (MultiTaskCells.TaskLabels t : tasks) {
            sb.append(',').append(Csv.quote(t.column())).append(',').append(Csv.quote(t.column() + "_predicted"));
            for (String c : t.classes()) {
                sb.append(',').append(Csv.quote(t.column() + "_prob_" + c));
            }
        }
        sb.append('\n');
        for (int i = 0; i < cells.size(); i++) {
            sb.append(Csv.quote(cells.get(i).id()));
            int[] y = data.labelsOf(cells.get(i));
            for (int t = 0; t < tasks.size(); t++) {
                List<String> classes = tasks.get(t).classes();
                sb.append(',').append(y[t] >= 0 ? Csv.quote(classes.get(y[t])) : "");
                sb.append(',').append(Csv.quote(classes.get(ClassMetrics.argmax(prob[t][i]))));
                for (double p : prob[t][i]) {
                    sb.append(',').append(String.format(Locale.ROOT, "%.6g", p));
                }
            }
            sb.append('\n');
        }
        AtomicFile.writeString(file, sb.toString());
    }
}
