package org.geneformer4j.stats;

import java.util.Arrays;

/** A growable list of doubles, and numpy's reductions over one, summed as numpy sums (pairwise) to match its means. */
final class Values {
    private double[] a = new double[8];
    private int n;

    void add(double v) {
        if (n == a.length) {
            a = Arrays.copyOf(a, n * 2);
        }
        a[n++] = v;
    }

    void addAll(Values o) {
        for (int i = 0; i < o.n; i++) {
            add(o.a[i]);
        }
    }

    int size() {
        return n;
    }

    double get(int i) {
        return a[i];
    }

    double[] toArray() {
        return Arrays.copyOf(a, n);
    }

    /** {@code np.mean}: NaN when empty. */
    double mean() {
        return mean(a, n);
    }

    /** {@code np.std} (ddof 0). */
    double std() {
        double m = mean();
        double[] sq = new double[n];
        for (int i = 0; i < n; i++) {
            double d = a[i] - m;
            sq[i] = d * d;
        }
        return Math.sqrt(pairwiseSum(sq, 0, n) / n);
    }

    static double mean(double[] x, int n) {
        return n == 0 ? Double.NaN : pairwiseSum(x, 0, n) / n;
    }

    /** numpy's pairwise summation (8 accumulators in blocks of up to 128, halves above), so sums agree to the bit. */
    static double pairwiseSum(double[] x, int from, int n) {
        if (n < 8) {
            double r = 0;
            for (int i = 0; i < n; i++) {
                r += x[from + i];
            }
            return r;
        }
        if (n <= 128) {
            double[] r = new double[8];
            for (int j = 0; j < 8; j++) {
                r[j] = x[from + j];
            }
            int i = 8;
            for (; i < n - (n % 8); i += 8) {
                for (int j = 0; j < 8; j++) {
                    r[j] += x[from + i + j];
                }
            }
            double res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            for (; i < n; i++) {
                res += x[from + i];
            }
            return res;
        }
        int n2 = n / 2;
        n2 -= n2 % 8;
        return pairwiseSum(x, from, n2) + pairwiseSum(x, from + n2, n - n2);
    }
}
