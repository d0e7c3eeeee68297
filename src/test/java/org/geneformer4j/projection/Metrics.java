package org.geneformer4j.projection;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;

/** Layout quality measures, written here from their definitions (checked against scikit-learn by a dev script). */
final class Metrics {
    private Metrics() {}

    static double[] distances(float[][] x, int i) {
        double[] d = new double[x.length];
        for (int j = 0; j < x.length; j++) {
            double s = 0;
            for (int c = 0; c < x[i].length; c++) {
                double t = x[i][c] - x[j][c];
                s += t * t;
            }
            d[j] = s;
        }
        d[i] = Double.POSITIVE_INFINITY;
        return d;
    }

    static int[] order(double[] d) {
        return IntStream.range(0, d.length).boxed().sorted((a, b) -> Double.compare(d[a], d[b])).mapToInt(v -> v).toArray();
    }

    /** scikit-learn's trustworthiness: 1 - 2/(nk(2n-3k-1)) * sum over new neighbours of (original rank - k). */
    static double trustworthiness(float[][] high, float[][] low, int k) {
        int n = high.length;
        double penalty = IntStream.range(0, n).parallel().mapToDouble(i -> {
            int[] hiOrder = order(distances(high, i));
            int[] rank = new int[n];
            for (int r = 0; r < n; r++) {
                rank[hiOrder[r]] = r + 1;
            }
            int[] loOrder = order(distances(low, i));
            double s = 0;
            for (int r = 0; r < k; r++) {
                s += Math.max(0, rank[loOrder[r]] - k);
            }
            return s;
        }).sum();
        return 1 - 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)) * penalty;
    }

    /** Leave-one-out k-NN majority-vote accuracy of {@code labels}. */
    static double knnAccuracy(float[][] x, String[] labels, int k) {
        long right = IntStream.range(0, x.length).parallel().filter(i -> {
            int[] o = order(distances(x, i));
            Map<String, Integer> votes = new HashMap<>();
            for (int r = 0; r < k; r++) {
                votes.merge(labels[o[r]], 1, Integer::sum);
            }
            String best = votes.entrySet().stream().max(Map.Entry.<String, Integer>comparingByValue()
                    .thenComparing(Map.Entry.comparingByKey())).get().getKey();
            return best.equals(labels[i]);
        }).count();
        return right / (double) x.length;
    }
}
