package org.geneformer4j.projection;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * UMAP's fuzzy simplicial set of a kNN graph, as umap-learn's {@code fuzzy_simplicial_set}: per point the distance to
 * its nearest neighbour (rho) and a bandwidth (sigma) with {@code sum_j exp(-(d_j - rho) / sigma) = log2(k)} give
 * directed memberships; the graph is their probabilistic union {@code a + b - ab}. Edges are kept in both directions
 * (head, tail), as the symmetric sparse matrix umap-learn optimises over.
 */
record FuzzyGraph(int[] head, int[] tail, double[] weight) {
    /**
     * The graph of {@code nb}, whose k neighbours exclude the point itself: umap-learn's {@code n_neighbors} counts the
     * point, so its n_neighbors = 15 is k = 14 here and the bandwidth target stays log2(k + 1).
     */
    static FuzzyGraph of(Neighbours nb) {
        int n = nb.n();
        int k = nb.k();
        double[] membership = new double[n * k];
        double target = Math.log(k + 1) / Math.log(2);
        IntStream.range(0, n).parallel().forEach(i -> {
            double[] d = new double[k];
            for (int j = 0; j < k; j++) {
                d[j] = nb.distance()[i * k + j];
            }
            double rho = 0;
            for (double v : d) {
                if (v > 0) {
                    rho = v; // the nearest neighbour at a non-zero distance (local_connectivity = 1)
                    break;
                }
            }
            double sigma = bandwidth(d, rho, target);
            for (int j = 0; j < k; j++) {
                membership[i * k + j] = d[j] - rho <= 0 ? 1.0 : Math.exp(-(d[j] - rho) / sigma);
            }
        });
        // directed edge i -> j as a key i * n + j, sorted so the reverse edge can be found by binary search
        long[] keys = new long[n * k];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < k; j++) {
                keys[i * k + j] = (long) i * n + nb.index()[i * k + j];
            }
        }
        Integer[] order = new Integer[keys.length];
        Arrays.setAll(order, p -> p);
        Arrays.sort(order, (a, b) -> Long.compare(keys[a], keys[b]));
        long[] sorted = new long[keys.length];
        double[] w = new double[keys.length];
        for (int p = 0; p < keys.length; p++) {
            sorted[p] = keys[order[p]];
            w[p] = membership[order[p]];
        }
        // every directed edge gives the union weight of its pair; an edge whose reverse is absent is added reversed
        int[] head = new int[2 * keys.length];
        int[] tail = new int[2 * keys.length];
        double[] weight = new double[2 * keys.length];
        int m = 0;
        for (int p = 0; p < sorted.length; p++) {
            int i = (int) (sorted[p] / n);
            int j = (int) (sorted[p] % n);
            int q = Arrays.binarySearch(sorted, (long) j * n + i);
            double a = w[p];
            double b = q >= 0 ? w[q] : 0;
            double u = a + b - a * b;
            head[m] = i;
            tail[m] = j;
            weight[m++] = u;
            if (q < 0) {
                head[m] = j;
                tail[m] = i;
                weight[m++] = u;
            }
        }
        return new FuzzyGraph(Arrays.copyOf(head, m), Arrays.copyOf(tail, m), Arrays.copyOf(weight, m));
    }

    /** Binary search for sigma (umap-learn's smooth_knn_dist, 64 steps, tolerance 1e-5, floor 1e-3 x mean distance). */
    static double bandwidth(double[] d, double rho, double target) {
        double lo = 0;
        double hi = Double.POSITIVE_INFINITY;
        double mid = 1;
        for (int it = 0; it < 64; it++) {
            double s = 0;
            for (int j = 0; j < d.length; j++) {
                double t = d[j] - rho;
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
}
