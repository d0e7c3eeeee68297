package org.geneformer4j.stats;

import java.util.Arrays;
import org.apache.commons.math3.special.Erf;

/**
 * The Wilcoxon rank-sum test as {@code scipy.stats.ranksums} (two-sided, normal approximation, average ranks for
 * ties, no tie or continuity correction), against one reference sample tested many times: the reference is sorted
 * once and each test sample is ranked into it by binary search, so a test costs O(m log n) rather than a sort of
 * both samples. The rank sums are exact (half-integers), so the statistic is scipy's to the last bits.
 */
public final class RankSums {
    private final double[] reference;

    /** {@code reference} is scipy's first argument, {@code x}; NaNs are dropped (nan_policy="omit"). */
    public RankSums(double[] reference) {
        this.reference = Arrays.stream(reference).filter(v -> !Double.isNaN(v)).sorted().toArray();
    }

    /** {@code ranksums(reference, sample).statistic}; NaN if either side is empty. */
    public double statistic(double[] sample) {
        double[] y = Arrays.stream(sample).filter(v -> !Double.isNaN(v)).sorted().toArray();
        long n1 = reference.length;
        long n2 = y.length;
        if (n1 == 0 || n2 == 0) {
            return Double.NaN;
        }
        long n = n1 + n2;
        double ySum = 0;
        for (int i = 0; i < y.length; ) {
            double v = y[i];
            int j = i;
            while (j < y.length && y[j] == v) {
                j++;
            }
            int below = lowerBound(reference, v);
            int tiedRef = lowerBound(reference, Math.nextUp(v)) - below;
            int tiedY = j - i;
            double firstRank = below + i + 1;
            ySum += tiedY * (firstRank + (tiedY + tiedRef - 1) / 2.0);
            i = j;
        }
        double s = n * (n + 1) / 2.0 - ySum; // the reference's rank sum
        double expected = n1 * (n + 1) / 2.0;
        return (s - expected) / Math.sqrt(n1 * n2 * (n + 1) / 12.0);
    }

    /** {@code ranksums(reference, sample).pvalue}, two-sided; NaN if either side is empty. */
    public double pvalue(double[] sample) {
        return twoSided(statistic(sample));
    }

    /** 2 * P(Z > |z|), scipy's {@code 2 * ndtr(-|z|)}. */
    static double twoSided(double z) {
        if (Double.isNaN(z)) {
            return Double.NaN;
        }
        return Erf.erfc(Math.abs(z) / Math.sqrt(2));
    }

    private static int lowerBound(double[] a, double v) {
        int lo = 0;
        int hi = a.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (a[mid] < v) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
