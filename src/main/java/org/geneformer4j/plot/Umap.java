package org.geneformer4j.plot;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * UMAP (McInnes, Healy and Melville 2018) as umap-learn computes it: exact k nearest neighbours; per point the
 * distance to the nearest neighbour (rho) and a bandwidth (sigma) with sum exp(-(d - rho) / sigma) = log2(k);
 * the fuzzy union of the directed graphs; curve parameters a, b fitted to {@code minDist} and {@code spread};
 * initialisation from the first two principal components scaled to [0, 10]; then stochastic gradient descent on
 * the cross-entropy with edges sampled in proportion to their weight and {@code negativeRate} negative samples per
 * positive one, learning rate decaying linearly to zero. Seeded, so a layout is reproducible.
 *
 * <p>Exact neighbours cost O(n^2 d): fine for the tens of thousands of cells that are plotted.
 */
public final class Umap {
    private int neighbours = 15;
    private double minDist = 0.5;
    private double spread = 1.0;
    private int epochs = -1;
    private int negativeRate = 5;
    private long seed = 0;

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

    /** The 2-D layout of the rows of {@code x}. */
    public float[][] fit(float[][] x) {
        int n = x.length;
        int k = Math.min(neighbours, n - 1);
        int[][] knn = new int[n][];
        double[][] dist = new double[n][];
        nearest(x, k, knn, dist);
        // fuzzy simplicial set: directed memberships, then their probabilistic union
        java.util.Map<Long, Double> w = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            double rho = dist[i][0];
            double sigma = bandwidth(dist[i], rho, Math.log(k) / Math.log(2));
            for (int j = 0; j < k; j++) {
                double v = dist[i][j] - rho <= 0 ? 1.0 : Math.exp(-(dist[i][j] - rho) / sigma);
                w.put((long) i * n + knn[i][j], v);
            }
        }
        int edges = 0;
        int[] head = new int[w.size() * 2];
        int[] tail = new int[w.size() * 2];
        double[] weight = new double[w.size() * 2];
        java.util.Set<Long> done = new java.util.HashSet<>();
        for (var e : w.entrySet()) {
            long key = e.getKey();
            int i = (int) (key / n);
            int j = (int) (key % n);
            long rev = (long) j * n + i;
            if (done.contains(rev)) {
                continue;
            }
            done.add(key);
            double a = e.getValue();
            double b = w.getOrDefault(rev, 0.0);
            head[edges] = i;
            tail[edges] = j;
            weight[edges++] = a + b - a * b;
        }
        float[][] y = initialise(x);
        optimise(y, Arrays.copyOf(head, edges), Arrays.copyOf(tail, edges), Arrays.copyOf(weight, edges));
        return y;
    }

    private static void nearest(float[][] x, int k, int[][] knn, double[][] dist) {
        int n = x.length;
        double[] norms = new double[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (float v : x[i]) {
                s += (double) v * v;
            }
            norms[i] = s;
        }
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] d = new double[n];
            for (int j = 0; j < n; j++) {
                double dot = 0;
                float[] a = x[i];
                float[] b = x[j];
                for (int c = 0; c < a.length; c++) {
                    dot += (double) a[c] * b[c];
                }
                d[j] = Math.max(0, norms[i] + norms[j] - 2 * dot);
            }
            d[i] = Double.POSITIVE_INFINITY;
            // partial selection of the k smallest
            int[] best = new int[k];
            double[] bestD = new double[k];
            Arrays.fill(bestD, Double.POSITIVE_INFINITY);
            for (int j = 0; j < n; j++) {
                if (d[j] < bestD[k - 1]) {
                    int p = k - 1;
                    while (p > 0 && bestD[p - 1] > d[j]) {
                        bestD[p] = bestD[p - 1];
                        best[p] = best[p - 1];
                        p--;
                    }
                    bestD[p] = d[j];
                    best[p] = j;
                }
            }
            for (int p = 0; p < k; p++) {
                bestD[p] = Math.sqrt(bestD[p]);
            }
            knn[i] = best;
            dist[i] = bestD;
        });
    }

    /** Binary search for sigma with sum_j exp(-(d_j - rho) / sigma) = target (umap-learn's smooth_knn_dist). */
    static double bandwidth(double[] d, double rho, double target) {
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double mid = 1;
        for (int it = 0; it < 64; it++) {
            double s = 0;
            for (double v : d) {
                double t = v - rho;
                s += t > 0 ? Math.exp(-t / mid) : 1;
            }
            if (Math.abs(s - target) < 1e-5) {
                break;
            }
            if (s > target) {
                hi = mid;
                mid = (lo + hi) / 2;
            } else {
                lo = mid;
                mid = hi == Double.POSITIVE_INFINITY ? mid * 2 : (lo + hi) / 2;
            }
        }
        double mean = Arrays.stream(d).average().orElse(1);
        return Math.max(mid, 1e-3 * mean);
    }

    /** a, b of 1 / (1 + a d^(2b)) fitted (least squares on a grid) to umap-learn's target curve. */
    double[] curve() {
        double bestA = 1;
        double bestB = 1;
        double bestErr = Double.POSITIVE_INFINITY;
        for (double b = 0.5; b <= 2.0; b += 0.005) {
            // for fixed b the best a is found by a 1-D scan
            for (double a = 0.1; a <= 3.0; a += 0.005) {
                double err = 0;
                for (int i = 0; i < 300; i++) {
                    double xv = i * spread * 3 / 299.0;
                    double target = xv < minDist ? 1.0 : Math.exp(-(xv - minDist) / spread);
                    double f = 1.0 / (1.0 + a * Math.pow(xv, 2 * b));
                    err += (f - target) * (f - target);
                }
                if (err < bestErr) {
                    bestErr = err;
                    bestA = a;
                    bestB = b;
                }
            }
        }
        return new double[] {bestA, bestB};
    }

    private float[][] initialise(float[][] x) {
        float[][] p = Pca.scores(x, 2);
        float[][] y = new float[x.length][2];
        for (int c = 0; c < 2; c++) {
            float min = Float.POSITIVE_INFINITY;
            float max = Float.NEGATIVE_INFINITY;
            for (float[] r : p) {
                min = Math.min(min, r[c]);
                max = Math.max(max, r[c]);
            }
            for (int i = 0; i < x.length; i++) {
                y[i][c] = 10f * (p[i][c] - min) / Math.max(1e-12f, max - min);
            }
        }
        return y;
    }

    private void optimise(float[][] y, int[] head, int[] tail, double[] weight) {
        int n = y.length;
        int nEpochs = epochs > 0 ? epochs : n <= 10_000 ? 500 : 200;
        double[] ab = curve();
        double a = ab[0];
        double b = ab[1];
        double maxW = Arrays.stream(weight).max().orElse(1);
        double[] epochsPerSample = new double[weight.length];
        double[] nextSample = new double[weight.length];
        double[] epochsPerNeg = new double[weight.length];
        double[] nextNeg = new double[weight.length];
        for (int e = 0; e < weight.length; e++) {
            // umap-learn drops edges too weak to be sampled even once over the run
            epochsPerSample[e] = weight[e] < maxW / nEpochs ? Double.POSITIVE_INFINITY : maxW / weight[e];
            nextSample[e] = epochsPerSample[e];
            epochsPerNeg[e] = epochsPerSample[e] / negativeRate;
            nextNeg[e] = epochsPerNeg[e];
        }
        SplittableRandom rng = new SplittableRandom(seed);
        for (int epoch = 1; epoch <= nEpochs; epoch++) {
            double alpha = 1.0 - (epoch - 1) / (double) nEpochs;
            for (int e = 0; e < head.length; e++) {
                if (nextSample[e] > epoch) {
                    continue;
                }
                float[] cur = y[head[e]];
                float[] oth = y[tail[e]];
                double dx = cur[0] - oth[0];
                double dy = cur[1] - oth[1];
                double d2 = dx * dx + dy * dy;
                if (d2 > 0) {
                    double coeff = -2.0 * a * b * Math.pow(d2, b - 1) / (a * Math.pow(d2, b) + 1);
                    float gx = (float) (clip(coeff * dx) * alpha);
                    float gy = (float) (clip(coeff * dy) * alpha);
                    cur[0] += gx;
                    cur[1] += gy;
                    oth[0] -= gx;
                    oth[1] -= gy;
                }
                nextSample[e] += epochsPerSample[e];
                int negatives = (int) ((epoch - nextNeg[e]) / epochsPerNeg[e]);
                for (int s = 0; s < negatives; s++) {
                    int k = rng.nextInt(n);
                    if (k == head[e]) {
                        continue;
                    }
                    float[] o = y[k];
                    double nx = cur[0] - o[0];
                    double ny = cur[1] - o[1];
                    double nd2 = nx * nx + ny * ny;
                    double coeff = nd2 > 0 ? 2.0 * b / ((0.001 + nd2) * (a * Math.pow(nd2, b) + 1)) : 0;
                    cur[0] += (float) ((coeff > 0 ? clip(coeff * nx) : 4.0) * alpha);
                    cur[1] += (float) ((coeff > 0 ? clip(coeff * ny) : 4.0) * alpha);
                }
                nextNeg[e] += negatives * epochsPerNeg[e];
            }
        }
    }

    private static double clip(double g) {
        return Math.max(-4.0, Math.min(4.0, g));
    }
}
