package org.geneformer4j.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.Head;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * One {@code geneformer predict}: a fine-tuned classifier's labels and probabilities for new cells, one CSV row per
 * cell (cell classifier) or per gene of each cell (gene classifier); with a truth column, accuracy and macro F1.
 *
 * @param label the truth column, or null
 */
public record PredictRun(Path input, Path output, String label, Map<String, Set<String>> filters, int batchSize,
        boolean packed, boolean overwrite, String model) {

    public void run(Supplier<ModelSession> open, Log log) {
        OutputGuard.check(output, overwrite, OutputGuard.Kind.file("csv"), OutputGuard.paths(input, model));
        Throwable failure = null;
        ModelSession session = open.get();
        try {
            BertConfig config = session.config();
            Head head = switch (config.architecture()) {
                case "BertForSequenceClassification" -> Head.SEQUENCE_CLASSIFICATION;
                case "BertForTokenClassification" -> Head.TOKEN_CLASSIFICATION;
                default -> throw new UserException(session.name() + " is a " + config.architecture()
                        + ", not a fine-tuned classifier (BertForSequenceClassification or BertForTokenClassification)");
            };
            List<String> classes = config.labels();
            List<LabeledCell> cells = CellTable.read(input, label, null, filters, session.tokenCheck());
            session.device(); // one device: refuse --devices before loading
            Worker w = session.load(head, classes).get(0);
            if (classes.isEmpty()) {
                classes = w.model().config().labels();
            }
            Progress progress = Progress.forStderr("predict", "cells", cells.size());
            float[][] logits = w.logits(cells.stream().map(LabeledCell::tokens).toList(), batchSize, (long) batchSize * 4096, packed, progress);
            if (packed) {
                log.detail("predict: packed attention " + org.geneformer4j.model.PackedAttention.describe());
            }
            progress.finish();
            write(session, head, classes, cells, logits, log);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Closing.close(session::close, failure);
        }
    }

    private void write(ModelSession session, Head head, List<String> classes, List<LabeledCell> cells, float[][] logits, Log log) {
        List<String[]> keys = new ArrayList<>();
        List<float[]> rows = new ArrayList<>();
        List<String> truth = label == null ? null : new ArrayList<>();
        int k = classes.size();
        for (int i = 0; i < cells.size(); i++) {
            LabeledCell c = cells.get(i);
            if (head == Head.SEQUENCE_CLASSIFICATION) {
                keys.add(new String[] {c.id()});
                rows.add(logits[i]);
                if (truth != null) {
                    truth.add(c.label());
                }
                continue;
            }
            for (int j = 0; j < c.tokens().length; j++) {
                String gene = session.vocab().tokenName(c.tokens()[j]);
                if (gene == null || gene.startsWith("<")) {
                    continue;
                }
                keys.add(new String[] {c.id(), gene});
                rows.add(Arrays.copyOfRange(logits[i], j * k, (j + 1) * k));
                if (truth != null) {
                    truth.add(c.label());
                }
            }
        }
        double[][] prob = ClassMetrics.probabilities(rows);
        int[] predicted = new int[prob.length];
        for (int i = 0; i < prob.length; i++) {
            predicted[i] = ClassMetrics.argmax(prob[i]);
        }
        PredictionTable.write(output, head == Head.SEQUENCE_CLASSIFICATION ? List.of("cell_id") : List.of("cell_id", "ensembl_id"),
                keys, truth, classes, predicted, prob);
        if (truth != null) {
            report(classes, truth, predicted, log);
        }
        log.info("wrote " + output + ": " + keys.size() + " rows");
    }

    private static void report(List<String> classes, List<String> truth, int[] predicted, Log log) {
        int right = 0;
        int[] t = new int[truth.size()];
        boolean known = true;
        for (int i = 0; i < t.length; i++) {
            t[i] = classes.indexOf(truth.get(i));
            known &= t[i] >= 0;
            right += t[i] == predicted[i] ? 1 : 0;
        }
        if (known) {
            ConfusionMatrix cm = ConfusionMatrix.of(classes, t, predicted);
            log.info(String.format(Locale.ROOT, "accuracy %.4f, macro F1 %.4f over %d", cm.accuracy(), cm.macroF1(), t.length));
        } else {
            log.info(String.format(Locale.ROOT, "accuracy %.4f over %d (some labels are not among the model's classes)",
                    right / (double) t.length, t.length));
        }
    }
}
