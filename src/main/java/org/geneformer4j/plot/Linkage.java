package org.geneformer4j.plot;

import java.util.Arrays;
import java.util.stream.IntStream;

/**
 * Agglomerative clustering with average linkage on Euclidean distances (seaborn clustermap's default, UPGMA),
 * by the nearest-neighbour chain algorithm: O(n^2) memory and time. Merges are listed in scipy's form: by height,
 * cluster ids 0..n-1 for points and n+i for merge i, smaller id first; the leaf order is scipy's dendrogram order.
 */
record Linkage(int n, int[] left, int[] right, double[] height, int[] leafOrder) {

    static Linkage average(double[][] x) {
        int n = x.length;
        if (n == 1) {
            return new Linkage(1, new int[0], new int[0], new double[0], new int[] {0});
        }
        double[][] d = new double[n][n];
        IntStream.range(0, n).parallel().forEach(i -> {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int c = 0; c < x[i].length; c++) {
                    double t = x[i][c] - x[j][c];
                    s += t * t;
                }
                d[i][j] = Math.sqrt(s);
            }
        });
        int[] size = new int[n];
        Arrays.fill(size, 1);
        boolean[] active = new boolean[n];
        Arrays.fill(active, true);
        // merges found by the chain, in the order found: representative slots a, b (b is retired) and height
        int[] ma = new int[n - 1];
        int[] mb = new int[n - 1];
        double[] mh = new double[n - 1];
        int merges = 0;
        int[] chain = new int[n];
        int len = 0;
        while (merges < n - 1) {
            if (len == 0) {
                for (int i = 0; i < n; i++) {
                    if (active[i]) {
                        chain[len++] = i;
                        break;
                    }
                }
            }
            int a = chain[len - 1];
            int prev = len > 1 ? chain[len - 2] : -1;
            int best = -1;
            double bd = Double.POSITIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                if (active[j] && j != a && (d[a][j] < bd || (d[a][j] == bd && j == prev))) {
                    bd = d[a][j];
                    best = j;
                }
            }
            if (best == prev) {
                len -= 2;
                int keep = Math.min(a, best);
                int gone = Math.max(a, best);
                ma[merges] = keep;
                mb[merges] = gone;
                mh[merges++] = bd;
                // Lance-Williams for average linkage: size-weighted mean of the two distances
                for (int j = 0; j < n; j++) {
                    if (active[j] && j != keep && j != gone) {
                        double v = (size[keep] * d[keep][j] + size[gone] * d[gone][j]) / (size[keep] + size[gone]);
                        d[keep][j] = v;
                        d[j][keep] = v;
                    }
                }
                size[keep] += size[gone];
                active[gone] = false;
            } else {
                chain[len++] = best;
            }
        }
        // scipy's labelling: sort merges by height (stable), then name clusters with a union-find over the slots
        Integer[] order = new Integer[n - 1];
        Arrays.setAll(order, i -> i);
        Arrays.sort(order, (p, q) -> Double.compare(mh[p], mh[q]));
        int[] slotCluster = new int[n];
        for (int i = 0; i < n; i++) {
            slotCluster[i] = i;
        }
        int[] left = new int[n - 1];
        int[] right = new int[n - 1];
        double[] height = new double[n - 1];
        for (int s = 0; s < n - 1; s++) {
            int m = order[s];
            int ca = slotCluster[ma[m]];
            int cb = slotCluster[mb[m]];
            left[s] = Math.min(ca, cb);
            right[s] = Math.max(ca, cb);
            height[s] = mh[m];
            slotCluster[ma[m]] = n + s;
        }
        int[] leaves = new int[n];
        int[] filled = {0};
        collect(n + n - 2, n, left, right, leaves, filled);
        return new Linkage(n, left, right, height, leaves);
    }

    private static void collect(int root, int n, int[] left, int[] right, int[] leaves, int[] filled) {
        // iterative, left first: deep chains (one cell at a time) would overflow the stack recursively
        int[] stack = new int[2 * n];
        int top = 0;
        stack[top++] = root;
        while (top > 0) {
            int c = stack[--top];
            if (c < n) {
                leaves[filled[0]++] = c;
            } else {
                stack[top++] = right[c - n];
                stack[top++] = left[c - n];
            }
        }
    }

    /** Position of each cluster id along the leaf axis (leaves 0..n-1 in order, merges at their children's mean). */
    double[] positions() {
        double[] pos = new double[2 * n - 1];
        for (int i = 0; i < n; i++) {
            pos[leafOrder[i]] = i;
        }
        for (int s = 0; s < n - 1; s++) {
            pos[n + s] = (pos[left[s]] + pos[right[s]]) / 2;
        }
        return pos;
    }

    double heightOf(int cluster) {
        return cluster < n ? 0 : height[cluster - n];
    }
}
