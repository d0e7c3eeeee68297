package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.ClassMetrics;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.PredictionTable;
import org.geneformer4j.classify.Predictor;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Labels and class probabilities of a fine-tuned classifier for new cells.",
                "OUTPUT is a CSV: cell_id[,ensembl_id][,label],predicted,prob_<class>... (geneformer plot confusion|roc read it).",
                "A cell classifier gives one row per cell; a gene classifier one row per gene of each cell."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CSV", description = "Output CSV.")
    Path output;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Column of true labels: adds a label column and prints accuracy and macro F1.")
    String label;

    @Option(names = "--filter", paramLabel = "COLUMN=V1[,V2]", description = "Keep only cells with these values (repeatable).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "32", description = "Cells per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--overwrite", description = "Replace an existing OUTPUT.")
    boolean overwrite;

    @Override
    public Integer call() {
        OutputGuard.check(output, overwrite, OutputGuard.Kind.file("csv"), OutputGuard.paths(input, model.model));
        ModelOptions.Resolved r = model.resolve();
        BertConfig config = r.checkpoint().config();
        Head head = switch (config.architecture()) {
            case "BertForSequenceClassification" -> Head.SEQUENCE_CLASSIFICATION;
            case "BertForTokenClassification" -> Head.TOKEN_CLASSIFICATION;
            default -> throw new UserException(r.name() + " is a " + config.architecture()
                    + ", not a fine-tuned classifier (BertForSequenceClassification or BertForTokenClassification)");
        };
        List<String> classes = config.labels();
        List<LabeledCell> cells = ClassifierOptions.read(input, filters, r, label, null);
        try (BertModel m = BertModel.load(r.checkpoint(), head, classes, model.singleDevice(), model.scalarType(), 0).model()) {
            if (classes.isEmpty()) {
                classes = m.config().labels();
            }
            Progress progress = Progress.forStderr("predict", "cells", cells.size());
            float[][] logits = Predictor.logits(m, cells.stream().map(LabeledCell::tokens).toList(), batchSize,
                    (long) batchSize * 4096, progress);
            progress.finish();
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
                    String gene = r.vocab().tokenName(c.tokens()[j]);
                    if (gene == null || gene.startsWith("<")) {
                        continue;
                    }
                    keys.add(new String[] {c.id(), gene});
                    rows.add(java.util.Arrays.copyOfRange(logits[i], j * k, (j + 1) * k));
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
                    Main.info(String.format(Locale.ROOT, "accuracy %.4f, macro F1 %.4f over %d", cm.accuracy(), cm.macroF1(), t.length));
                } else {
                    Main.info(String.format(Locale.ROOT, "accuracy %.4f over %d (some labels are not among the model's classes)",
                            right / (double) t.length, t.length));
                }
            }
            Main.info("wrote " + output + ": " + keys.size() + " rows");
        }
        return 0;
    }

}
