package org.geneformer4j.stats;

import java.util.Arrays;

/**
 * A two-component Gaussian mixture on one variable, fitted as scikit-learn's
 * {@code GaussianMixture(n_components=2, random_state=0)}: EM with full covariances, {@code reg_covar=1e-6},
 * {@code tol=1e-3} on the mean log-likelihood, at most 100 iterations, started from a hard k-means partition.
 *
 * <p>Two deliberate differences. The starting partition is the optimal 2-means split of the sorted values, found
 * exactly, where scikit-learn runs k-means++ from a seeded draw; on data with two groups both reach the same
 * partition and the fits agree. And the components are ordered by mean (component 0 the lower), which upstream's
 * {@code get_impact_component} assumes but scikit-learn does not guarantee.
 */
public final class GaussianMixture1D {
    private static final double REG_COVAR = 1e-6;
    private static final double TOL = 1e-3;
    private static final int MAX_ITER = 100;
    private static final double EPS10 = 10 * Math.ulp(1.0);

    private final double[] weights = new double[2];
    private final double[] means = new double[2];
    private final double[] variances = new double[2];
    private int iterations;

    private GaussianMixture1D() {}

    public static GaussianMixture1D fit(double[] x) {
        if (x.length < 2) {
            throw new IllegalArgumentException("a two-component mixture needs at least 2 values, got " + x.length);
        }
        GaussianMixture1D g = new GaussianMixture1D();
        int n = x.length;
        double[][] resp = new double[n][2];
        double split = twoMeansSplit(x);
        for (int i = 0; i < n; i++) {
            resp[i][x[i] <= split ? 0 : 1] = 1;
        }
        g.mStep(x, resp, true);
        double lowerBound = Double.NEGATIVE_INFINITY;
        for (int it = 1; it <= MAX_ITER; it++) {
            double previous = lowerBound;
            lowerBound = g.eStep(x, resp);
            g.mStep(x, resp, false);
            g.iterations = it;
            if (Math.abs(lowerBound - previous) < TOL) {
                break;
            }
        }
        if (g.means[0] > g.means[1]) {
            swap(g.weights);
            swap(g.means);
            swap(g.variances);
        }
        return g;
    }

    /** The largest value of the lower group in the split of sorted values that minimises the within-group squares. */
    static double twoMeansSplit(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        int n = s.length;
        double[] prefix = new double[n + 1];
        double[] prefixSq = new double[n + 1];
        for (int i = 0; i < n; i++) {
            prefix[i + 1] = prefix[i] + s[i];
            prefixSq[i + 1] = prefixSq[i] + s[i] * s[i];
        }
        double best = Double.POSITIVE_INFINITY;
        int bestAt = 1;
        for (int k = 1; k < n; k++) {
            if (s[k] == s[k - 1]) {
                continue; // equal values go to one group
            }
            double left = prefixSq[k] - prefix[k] * prefix[k] / k;
            double right = (prefixSq[n] - prefixSq[k]) - (prefix[n] - prefix[k]) * (prefix[n] - prefix[k]) / (n - k);
            if (left + right < best) {
                best = left + right;
                bestAt = k;
            }
        }
        return s[bestAt - 1];
    }

    /** {@code initial}: scikit-learn's first M-step divides the weights by n, later ones by their sum. */
    private void mStep(double[] x, double[][] resp, boolean initial) {
        int n = x.length;
        double total = 0;
        for (int k = 0; k < 2; k++) {
            double nk = 0;
            double sum = 0;
            for (int i = 0; i < n; i++) {
                nk += resp[i][k];
                sum += resp[i][k] * x[i];
            }
            nk += EPS10;
            double mean = sum / nk;
            double sq = 0;
            for (int i = 0; i < n; i++) {
                double d = x[i] - mean;
                sq += resp[i][k] * d * d;
            }
            weights[k] = nk;
            means[k] = mean;
            variances[k] = sq / nk + REG_COVAR;
            total += nk;
        }
        double divisor = initial ? n : total;
        weights[0] /= divisor;
        weights[1] /= divisor;
    }

    /** Fills {@code resp} with the posterior of each component and returns the mean log-likelihood. */
    private double eStep(double[] x, double[][] resp) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            double a = weightedLogProb(x[i], 0);
            double b = weightedLogProb(x[i], 1);
            double max = Math.max(a, b);
            double norm = Math.log(Math.exp(a - max) + Math.exp(b - max)) + max;
            resp[i][0] = Math.exp(a - norm);
            resp[i][1] = Math.exp(b - norm);
            sum += norm;
        }
        return sum / x.length;
    }

    private double weightedLogProb(double v, int k) {
        double precChol = 1 / Math.sqrt(variances[k]);
        double y = v * precChol - means[k] * precChol;
        return -0.5 * (Math.log(2 * Math.PI) + y * y) + Math.log(precChol) + Math.log(weights[k]);
    }

    /** The more probable component of {@code v} ({@code predict}). */
    public int predict(double v) {
        return weightedLogProb(v, 1) > weightedLogProb(v, 0) ? 1 : 0;
    }

    /**
     * Upstream's {@code get_impact_component}: 1 (impact) below the lower mean, 0 above the higher mean, and in
     * between the component the value is more likely to come from, the lower-mean one being the impact one.
     */
    public int impactComponent(double v) {
        if (v > means[1]) {
            return 0;
        }
        if (v < means[0]) {
            return 1;
        }
        return predict(v) == 1 ? 0 : 1;
    }

    public double mean(int k) {
        return means[k];
    }

    public double variance(int k) {
        return variances[k];
    }

    public double weight(int k) {
        return weights[k];
    }

    public int iterations() {
        return iterations;
    }

    private static void swap(double[] a) {
        double t = a[0];
        a[0] = a[1];
        a[1] = t;
    }
}
