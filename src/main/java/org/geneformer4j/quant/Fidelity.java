package org.geneformer4j.quant;

import java.util.Arrays;

/** The measures reduced precision is judged by: cosine of embeddings, Spearman of effects, percentiles. */
public final class Fidelity {
    private Fidelity() {}

    public static double cosine(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    /** The {@code p}-th percentile (0..100) by linear interpolation, as numpy's default. */
    public static double percentile(double[] values, double p) {
        double[] v = values.clone();
        Arrays.sort(v);
        double pos = p / 100 * (v.length - 1);
        int lo = (int) Math.floor(pos);
        int hi = Math.min(lo + 1, v.length - 1);
        return v[lo] + (pos - lo) * (v[hi] - v[lo]);
    }
}
