package org.geneformer4j.classify;

import java.util.List;
import java.util.Locale;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;

/**
 * Predictions as CSV, one row per example: its key columns (cell_id; for genes also ensembl_id), the true label
 * when known, the predicted label and prob_CLASS for each class; {@code geneformer plot confusion|roc} read it.
 */
public final class PredictionTable {
    private PredictionTable() {}

    /** The class names of {@code truth} ids. */
    public static List<String> names(List<String> classes, int[] truth) {
        return java.util.Arrays.stream(truth).mapToObj(classes::get).toList();
    }

    /**
     * @param keys per example the values of {@code keyNames}
     * @param truth true class per example, or null when unknown
     */
    public static void write(java.nio.file.Path file, List<String> keyNames, List<String[]> keys, List<String> truth, List<String> classes,
            int[] predicted, double[][] prob) {
        StringBuilder sb = new StringBuilder();
        for (String k : keyNames) {
            sb.append(Csv.quote(k)).append(',');
        }
        if (truth != null) {
            sb.append("label,");
        }
        sb.append("predicted");
        for (String c : classes) {
            sb.append(',').append(Csv.quote("prob_" + c));
        }
        sb.append('\n');
        for (int i = 0; i < keys.size(); i++) {
            for (String k : keys.get(i)) {
                sb.append(Csv.quote(k)).append(',');
            }
            if (truth != null) {
                sb.append(Csv.quote(truth.get(i))).append(',');
            }
            sb.append(Csv.quote(classes.get(predicted[i])));
            for (double p : prob[i]) {
                sb.append(',').append(String.format(Locale.ROOT, "%.6g", p));
            }
            sb.append('\n');
        }
        AtomicFile.writeString(file, sb.toString());
    }
}
