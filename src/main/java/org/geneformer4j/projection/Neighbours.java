package org.geneformer4j.projection;

/**
 * The k nearest neighbours of every point, nearest first, self excluded: {@code index[i * k + j]} is the j-th
 * neighbour of point i and {@code distance[i * k + j]} its Euclidean distance.
 */
public record Neighbours(int n, int k, int[] index, float[] distance) {
    /** Exact search below this many points; NN-descent above (where it is faster at the same layout quality). */
    public static final int EXACT_LIMIT = 20_000;

    public enum Method { AUTO, EXACT, NNDESCENT }

    /** The neighbours of the rows of {@code x} by {@code method}; AUTO picks by {@link #EXACT_LIMIT}. */
    public static Neighbours of(float[][] x, int k, Method method, long seed) {
        boolean exact = method == Method.EXACT || (method == Method.AUTO && x.length <= EXACT_LIMIT);
        return exact ? ExactNeighbours.search(x, k) : new NnDescent(seed).search(x, k);
    }

    /** The fraction of {@code truth}'s neighbour sets found here (recall, for checking approximate searches). */
    public double recall(Neighbours truth) {
        long hit = 0;
        for (int i = 0; i < n; i++) {
            java.util.Set<Integer> t = new java.util.HashSet<>();
            for (int j = 0; j < k; j++) {
                t.add(truth.index[i * k + j]);
            }
            for (int j = 0; j < k; j++) {
                if (t.contains(index[i * k + j])) {
                    hit++;
                }
            }
        }
        return hit / (double) ((long) n * k);
    }
}
