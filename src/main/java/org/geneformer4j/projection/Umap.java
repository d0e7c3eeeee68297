package org.geneformer4j.projection;

import java.util.SplittableRandom;
import org.geneformer4j.util.Progress;

/**
 * UMAP (McInnes, Healy and Melville 2018) as scanpy and umap-learn compute it: PCA to 50 components, k nearest neighbours (exact, or NN-descent for
 * many points), the fuzzy simplicial set, curve parameters a, b fitted to {@code minDist} and {@code spread},
 * initialisation from the first two principal components scaled to [0, 10], then stochastic gradient descent on
 * the fuzzy cross-entropy: edges sampled in proportion to their weight, {@code negativeRate} negative samples per
 * positive one, both ends of an edge moved, learning rate decaying linearly to zero, 500 epochs up to 10,000 points
 * and 200 above.
 *
 * <p>Seeded and reproducible: like umap-learn with a random_state, the descent runs on one thread; the neighbour
 * search, which is most of the work, uses all of them. Differences from umap-learn: PCA instead of spectral
 * initialisation (umap-learn's init="pca"), and no RP-tree start for NN-descent (random start, more iterations).
 */
public final class Umap {
    private int neighbours = 15;
    private double minDist = 0.5;
    private double spread = 1.0;
    private int epochs = -1;
    private int negativeRate = 5;
    private int pcs = 50;
    private long seed = 0;
    private Neighbours.Method method = Neighbours.Method.AUTO;

    /** The neighbourhood size counting the point itself, as umap-learn's n_neighbors. */
    public Umap neighbours(int k) {
        this.neighbours = k;
        return this;
    }

    public Umap minDist(double d) {
        this.minDist = d;
        return this;
    }

    public Umap epochs(int e) {
        this.epochs = e;
        return this;
    }

    public Umap seed(long s) {
        this.seed = s;
        return this;
    }

    /** Principal components to reduce to first (scanpy's neighbors on X_pca, 50); 0 keeps the input as is. */
    public Umap pcs(int n) {
        this.pcs = n;
        return this;
    }

    public Umap method(Neighbours.Method m) {
        this.method = m;
        return this;
    }

    /** The 2-D layout of the rows of {@code x}. */
    public float[][] fit(float[][] x) {
        return fit(x, Progress.silent());
    }

    public float[][] fit(float[][] x, Progress progress) {
        int n = x.length;
        if (n < 3) {
            throw new IllegalArgumentException("UMAP needs at least 3 points, got " + n);
        }
        if (pcs > 0 && x[0].length > pcs) {
            x = Pca.scores(x, pcs);
        }
        int k = Math.min(neighbours, n) - 1;
        Neighbours nb = Neighbours.of(x, k, method, seed);
        FuzzyGraph g = FuzzyGraph.of(nb);
        float[] y = initialise(x);
        int nEpochs = epochs > 0 ? epochs : n <= 10_000 ? 500 : 200;
        progress.setTotal(nEpochs);
        optimise(y, g, nEpochs, progress);
        progress.finish();
        float[][] out = new float[n][2];
        for (int i = 0; i < n; i++) {
            out[i][0] = y[2 * i];
            out[i][1] = y[2 * i + 1];
        }
        return out;
    }

    /**
     * a, b of 1 / (1 + a d^(2b)) fitted by least squares to the target curve (1 up to minDist, then
     * exp(-(d - minDist) / spread)) on 300 points over [0, 3 spread], as umap-learn's find_ab_params; a grid search
     * refined three times instead of scipy's curve_fit.
     */
    double[] curve() {
        double[] xs = new double[300];
        double[] target = new double[300];
        for (int i = 0; i < 300; i++) {
            xs[i] = i * spread * 3 / 299.0;
            target[i] = xs[i] < minDist ? 1.0 : Math.exp(-(xs[i] - minDist) / spread);
        }
        double ca = 1.5;
        double cb = 1.25;
        double step = 0.05;
        for (int round = 0; round < 4; round++) {
            double bestA = ca;
            double bestB = cb;
            double bestErr = Double.POSITIVE_INFINITY;
            for (int ia = -30; ia <= 30; ia++) {
                for (int ib = -30; ib <= 30; ib++) {
                    double a = ca + ia * step;
                    double b = cb + ib * step;
                    if (a <= 0 || b <= 0) {
                        continue;
                    }
                    double err = 0;
                    for (int i = 0; i < 300; i++) {
                        double f = 1.0 / (1.0 + a * Math.pow(xs[i], 2 * b));
                        err += (f - target[i]) * (f - target[i]);
                    }
                    if (err < bestErr) {
                        bestErr = err;
                        bestA = a;
                        bestB = b;
                    }
                }
            }
            ca = bestA;
            cb = bestB;
            step /= 10;
        }
        return new double[] {ca, cb};
    }

    private static float[] initialise(float[][] x) {
        float[][] p = Pca.scores(x, 2);
        int n = x.length;
        float[] y = new float[2 * n];
        for (int c = 0; c < 2; c++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float[] r : p) {
                float v = c < r.length ? r[c] : 0;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            for (int i = 0; i < n; i++) {
                float v = c < p[i].length ? p[i][c] : 0;
                y[2 * i + c] = 10f * (v - min) / Math.max(1e-12f, max - min);
            }
        }
        return y;
    }

    private void optimise(float[] y, FuzzyGraph g, int nEpochs, Progress progress) {
        int n = y.length / 2;
        int[] head = g.head();
        int[] tail = g.tail();
        double[] weight = g.weight();
        double[] ab = curve();
        double a = ab[0];
        double b = ab[1];
        double maxW = 0;
        for (double w : weight) {
            maxW = Math.max(maxW, w);
        }
        int m = weight.length;
        double[] epochsPerSample = new double[m];
        double[] nextSample = new double[m];
        double[] epochsPerNeg = new double[m];
        double[] nextNeg = new double[m];
        for (int e = 0; e < m; e++) {
            // umap-learn drops edges too weak to be sampled even once over the run
            epochsPerSample[e] = weight[e] < maxW / nEpochs ? Double.POSITIVE_INFINITY : maxW / weight[e];
            nextSample[e] = epochsPerSample[e];
            epochsPerNeg[e] = epochsPerSample[e] / negativeRate;
            nextNeg[e] = epochsPerNeg[e];
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int epoch = 1; epoch <= nEpochs; epoch++) {
            float alpha = (float) (1.0 - (epoch - 1) / (double) nEpochs);
            for (int e = 0; e < m; e++) {
                if (nextSample[e] > epoch) {
                    continue;
                }
                int j = head[e];
                int cj = 2 * j;
                int ck = 2 * tail[e];
                float dx = y[cj] - y[ck];
                float dy = y[cj + 1] - y[ck + 1];
                float d2 = dx * dx + dy * dy;
                if (d2 > 0) {
                    double pb = Math.pow(d2, b);
                    float coeff = (float) (-2.0 * a * b * pb / d2 / (a * pb + 1));
                    float gx = clip(coeff * dx) * alpha;
                    float gy = clip(coeff * dy) * alpha;
                    y[cj] += gx;
                    y[cj + 1] += gy;
                    y[ck] -= gx;
                    y[ck + 1] -= gy;
                }
                nextSample[e] += epochsPerSample[e];
                int negatives = (int) ((epoch - nextNeg[e]) / epochsPerNeg[e]);
                for (int s = 0; s < negatives; s++) {
                    int o = rng.nextInt(n);
                    if (o == j) {
                        continue;
                    }
                    int co = 2 * o;
                    float nx = y[cj] - y[co];
                    float ny = y[cj + 1] - y[co + 1];
                    float nd2 = nx * nx + ny * ny;
                    if (nd2 > 0) {
                        float coeff = (float) (2.0 * b / ((0.001 + nd2) * (a * Math.pow(nd2, b) + 1)));
                        y[cj] += clip(coeff * nx) * alpha;
                        y[cj + 1] += clip(coeff * ny) * alpha;
                    }
                }
                nextNeg[e] += negatives * epochsPerNeg[e];
            }
            progress.advance(1);
        }
    }

    private static float clip(float g) {
        return Math.max(-4f, Math.min(4f, g));
    }
}
