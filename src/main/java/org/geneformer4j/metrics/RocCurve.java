package org.geneformer4j.metrics;

import java.util.Arrays;

/**
 * Receiver operating characteristic of scores for a positive class, as scikit-learn's {@code roc_curve} (thresholds at
 * every distinct score, highest first, a first point at (0, 0); no intermediate points dropped) and
 * {@code auc} by the trapezoidal rule, which equals the Mann-Whitney probability that a positive outscores a negative.
 */
public record RocCurve(double[] fpr, double[] tpr, double[] thresholds, double auc) {

    public static RocCurve of(double[] scores, boolean[] positive) {
        int n = scores.length;
        Integer[] order = new Integer[n];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (a, b) -> Double.compare(scores[b], scores[a]));
        long pos = 0;
        for (boolean p : positive) {
            if (p) {
                pos++;
            }
        }
        long neg = n - pos;
        if (pos == 0 || neg == 0) {
            throw new IllegalArgumentException("ROC needs both classes; got " + pos + " positive and " + neg + " negative");
        }
        double[] fpr = new double[n + 1];
        double[] tpr = new double[n + 1];
        double[] thr = new double[n + 1];
        thr[0] = Double.POSITIVE_INFINITY;
        int m = 1;
        long tp = 0;
        long fp = 0;
        for (int i = 0; i < n; i++) {
            if (positive[order[i]]) {
                tp++;
            } else {
                fp++;
            }
            if (i == n - 1 || scores[order[i + 1]] != scores[order[i]]) {
                fpr[m] = fp / (double) neg;
                tpr[m] = tp / (double) pos;
                thr[m++] = scores[order[i]];
            }
        }
        double auc = 0;
        for (int i = 1; i < m; i++) {
            auc += (fpr[i] - fpr[i - 1]) * (tpr[i] + tpr[i - 1]) / 2;
        }
        return new RocCurve(Arrays.copyOf(fpr, m), Arrays.copyOf(tpr, m), Arrays.copyOf(thr, m), auc);
    }
}
