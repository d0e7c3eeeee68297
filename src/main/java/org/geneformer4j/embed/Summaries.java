package org.geneformer4j.embed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code --summary-stat}: one row per value of the first label column (or one row {@code all}), holding the
 * per-dimension mean or median over those cells. Computed exactly for every flavour.
 */
final class Summaries {
    private Summaries() {}

    static void write(EmbeddingSink sink, int hidden, List<float[]> embs, List<String[]> labels, List<String> labelNames,
            EmbedSettings.SummaryStat stat) throws IOException {
        Map<String, List<float[]>> groups = new LinkedHashMap<>();
        for (int i = 0; i < embs.size(); i++) {
            String key = labelNames.isEmpty() ? "all" : labels.get(i)[0];
            groups.computeIfAbsent(key, k -> new ArrayList<>()).add(embs.get(i));
        }
        sink.begin(hidden, labelNames.isEmpty() ? "group" : labelNames.get(0), List.of("n_cells"));
        for (Map.Entry<String, List<float[]>> g : groups.entrySet()) {
            sink.row(g.getKey(), summarise(g.getValue(), hidden, stat.median()), new String[] {Integer.toString(g.getValue().size())});
        }
    }

    static float[] summarise(List<float[]> rows, int hidden, boolean median) {
        float[] out = new float[hidden];
        float[] col = new float[rows.size()];
        for (int d = 0; d < hidden; d++) {
            double sum = 0;
            for (int i = 0; i < rows.size(); i++) {
                col[i] = rows.get(i)[d];
                sum += col[i];
            }
            if (median) {
                Arrays.sort(col);
                int n = col.length;
                // torch.median returns the lower of the two middle values
                out[d] = col[(n - 1) / 2];
            } else {
                out[d] = (float) (sum / rows.size());
            }
        }
        return out;
    }
}
