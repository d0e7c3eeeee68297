package org.geneformer4j.stats;

import java.util.Arrays;
import java.util.Comparator;

/** Benjamini-Hochberg adjusted p-values, as statsmodels' {@code multipletests(method="fdr_bh")}. */
public final class Fdr {
    private Fdr() {}

    /**
     * The adjusted p-values in input order: sorted ascending, p / (i/n), running minimum from the largest, capped
     * at 1, with statsmodels' operations so the values are identical. NaN p-values stay NaN and are left out of
     * n (statsmodels would turn every value into NaN).
     */
    public static double[] benjaminiHochberg(double[] p) {
        Integer[] order = new Integer[p.length];
        int n = 0;
        for (int i = 0; i < p.length; i++) {
            if (!Double.isNaN(p[i])) {
                order[n++] = i;
            }
        }
        Integer[] valid = Arrays.copyOf(order, n);
        Arrays.sort(valid, Comparator.comparingDouble(i -> p[i]));
        double[] out = new double[p.length];
        Arrays.fill(out, Double.NaN);
        double running = Double.POSITIVE_INFINITY;
        for (int r = n - 1; r >= 0; r--) {
            double factor = (r + 1) / (double) n;
            running = Math.min(running, p[valid[r]] / factor);
            out[valid[r]] = Math.min(1.0, running);
        }
        return out;
    }
}
