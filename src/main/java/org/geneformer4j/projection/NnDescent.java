package org.geneformer4j.projection;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Approximate k nearest neighbours by nearest-neighbour descent (Dong, Moses and Li 2011), as pynndescent does for
 * umap-learn: start from random neighbours, then repeatedly compare each point's neighbours with each other
 * ("a neighbour of a neighbour is likely a neighbour"), only pairs involving a newly found neighbour, with the
 * candidate lists sampled and reverse neighbours included, until fewer than {@code delta * n * k} lists change.
 *
 * <p>Each iteration builds its candidate lists first and only then joins them, so threads only ever add to the
 * heaps; the result is the k smallest of a fixed candidate set and does not depend on thread scheduling.
 */
final class NnDescent {
    private static final int MAX_ITERATIONS = 20;
    private static final double DELTA = 0.001;
    private final long seed;

    NnDescent(long seed) {
        this.seed = seed;
    }

    Neighbours search(float[][] x, int k) {
        int n = x.length;
        int d = x[0].length;
        if (k >= n) {
            throw new IllegalArgumentException("need more than " + k + " points for " + k + " neighbours, got " + n);
        }
        float[] data = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, data, i * d, d);
        }
        Heap[] heaps = new Heap[n];
        IntStream.range(0, n).parallel().forEach(i -> {
            Heap h = new Heap(k);
            SplittableRandom r = rng(-1, i);
            while (h.size < k) {
                int j = r.nextInt(n);
                if (j != i) {
                    h.push(j, dist(data, d, i, j), true);
                }
            }
            heaps[i] = h;
        });
        int maxCandidates = Math.min(60, k);
        for (int iter = 0; iter < MAX_ITERATIONS; iter++) {
            int[][] fresh = new int[n][];
            int[][] old = new int[n][];
            candidates(heaps, maxCandidates, iter, fresh, old);
            long updates = IntStream.range(0, n).parallel().mapToLong(u -> {
                long c = 0;
                int[] nw = fresh[u];
                int[] ol = old[u];
                for (int a = 0; a < nw.length; a++) {
                    int p = nw[a];
                    for (int b = a + 1; b < nw.length; b++) {
                        c += join(heaps, data, d, p, nw[b]);
                    }
                    for (int q : ol) {
                        c += join(heaps, data, d, p, q);
                    }
                }
                return c;
            }).sum();
            if (updates <= DELTA * n * k) {
                break;
            }
        }
        int[] index = new int[n * k];
        float[] distance = new float[n * k];
        IntStream.range(0, n).parallel().forEach(i -> heaps[i].sortedInto(index, distance, i * k));
        return new Neighbours(n, k, index, distance);
    }

    private SplittableRandom rng(int iteration, int point) {
        return new SplittableRandom(seed * 0x9E3779B97F4A7C15L + (iteration + 2L) * 0xC2B2AE3D27D4EB4FL + point);
    }

    private static int join(Heap[] heaps, float[] data, int d, int p, int q) {
        if (p == q) {
            return 0;
        }
        float dpq = dist(data, d, p, q);
        return heaps[p].push(q, dpq, true) + heaps[q].push(p, dpq, true);
    }

    /**
     * Per point: up to {@code max} of its new neighbours (which then count as old) plus as many of its reverse new
     * neighbours, and its old neighbours plus reverse old ones. Sampling is seeded per (iteration, point).
     */
    private void candidates(Heap[] heaps, int max, int iter, int[][] fresh, int[][] old) {
        int n = heaps.length;
        int[][] forwardNew = new int[n][];
        int[][] forwardOld = new int[n][];
        IntStream.range(0, n).parallel().forEach(u -> {
            Heap h = heaps[u];
            int[] nw = new int[h.size];
            int[] ol = new int[h.size];
            int nn = 0;
            int no = 0;
            for (int s = 0; s < h.size; s++) {
                if (h.fresh[s]) {
                    nw[nn++] = s;
                } else {
                    ol[no++] = h.index[s];
                }
            }
            SplittableRandom r = rng(iter, u);
            shuffle(nw, nn, r);
            int take = Math.min(nn, max);
            int[] chosen = new int[take];
            for (int t = 0; t < take; t++) {
                chosen[t] = h.index[nw[t]];
                h.fresh[nw[t]] = false;
            }
            forwardNew[u] = chosen;
            forwardOld[u] = Arrays.copyOf(ol, no);
        });
        int[][] reverseNew = reverse(forwardNew, n);
        int[][] reverseOld = reverse(forwardOld, n);
        IntStream.range(0, n).parallel().forEach(u -> {
            SplittableRandom r = rng(iter + MAX_ITERATIONS, u);
            fresh[u] = union(forwardNew[u], reverseNew[u], max, r);
            old[u] = union(forwardOld[u], reverseOld[u], max, r);
        });
    }

    private static int[][] reverse(int[][] forward, int n) {
        int[] count = new int[n];
        for (int[] f : forward) {
            for (int v : f) {
                count[v]++;
            }
        }
        int[][] rev = new int[n][];
        for (int v = 0; v < n; v++) {
            rev[v] = new int[count[v]];
        }
        Arrays.fill(count, 0);
        for (int u = 0; u < n; u++) {
            for (int v : forward[u]) {
                rev[v][count[v]++] = u;
            }
        }
        return rev;
    }

    /** {@code own} plus at most {@code max} sampled entries of {@code extra}, without repeats. */
    private static int[] union(int[] own, int[] extra, int max, SplittableRandom r) {
        int[] e = extra.clone();
        shuffle(e, e.length, r);
        int[] out = Arrays.copyOf(own, own.length + Math.min(max, e.length));
        int m = own.length;
        outer:
        for (int t = 0; t < e.length && m < out.length; t++) {
            for (int s = 0; s < m; s++) {
                if (out[s] == e[t]) {
                    continue outer;
                }
            }
            out[m++] = e[t];
        }
        return Arrays.copyOf(out, m);
    }

    private static void shuffle(int[] a, int len, SplittableRandom r) {
        for (int i = len - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static float dist(float[] data, int d, int i, int j) {
        int a = i * d;
        int b = j * d;
        float s = 0;
        for (int c = 0; c < d; c++) {
            float t = data[a + c] - data[b + c];
            s += t * t;
        }
        return (float) Math.sqrt(s);
    }

    /** A bounded max-heap of (distance, index) with a "new" flag per entry; pushes are synchronised. */
    static final class Heap {
        final int[] index;
        final float[] dist;
        final boolean[] fresh;
        int size;

        Heap(int k) {
            index = new int[k];
            dist = new float[k];
            fresh = new boolean[k];
        }

        /** Adds (j, dj) if it is nearer than the farthest kept and not already kept; 1 if it was added. */
        synchronized int push(int j, float dj, boolean isNew) {
            int k = index.length;
            if (size == k && !before(dj, j, dist[0], index[0])) {
                return 0;
            }
            for (int s = 0; s < size; s++) {
                if (index[s] == j) {
                    return 0;
                }
            }
            int pos;
            if (size < k) {
                pos = size++;
                // sift up
                while (pos > 0) {
                    int parent = (pos - 1) / 2;
                    if (!before(dist[parent], index[parent], dj, j)) {
                        break;
                    }
                    set(pos, parent);
                    pos = parent;
                }
            } else {
                pos = 0;
                // sift down from the root, which is replaced
                while (true) {
                    int l = 2 * pos + 1;
                    int r = l + 1;
                    int big = pos;
                    float bd = dj;
                    int bi = j;
                    if (l < size && before(bd, bi, dist[l], index[l])) {
                        big = l;
                        bd = dist[l];
                        bi = index[l];
                    }
                    if (r < size && before(bd, bi, dist[r], index[r])) {
                        big = r;
                    }
                    if (big == pos) {
                        break;
                    }
                    set(pos, big);
                    pos = big;
                }
            }
            index[pos] = j;
            dist[pos] = dj;
            fresh[pos] = isNew;
            return 1;
        }

        /** Orders by distance, then index, so that ties resolve the same way whatever the insertion order. */
        private static boolean before(float da, int ia, float db, int ib) {
            return da < db || (da == db && ia < ib);
        }

        private void set(int to, int from) {
            index[to] = index[from];
            dist[to] = dist[from];
            fresh[to] = fresh[from];
        }

        void sortedInto(int[] idx, float[] dst, int offset) {
            Integer[] order = new Integer[size];
            for (int s = 0; s < size; s++) {
                order[s] = s;
            }
            Arrays.sort(order, (a, b) -> before(dist[a], index[a], dist[b], index[b]) ? -1 : a.equals(b) ? 0 : 1);
            for (int s = 0; s < size; s++) {
                idx[offset + s] = index[order[s]];
                dst[offset + s] = dist[order[s]];
            }
        }
    }
}
