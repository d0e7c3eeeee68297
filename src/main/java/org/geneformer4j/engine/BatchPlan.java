package org.geneformer4j.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The one batch planner: cells longest first (ties in index order, as upstream sorts), cut into batches of at most
 * {@code maxCells} cells and {@code maxTokens} tokens. A padded batch costs its longest cell times its cells (every
 * row is padded to it); a packed batch costs its real tokens. Longest first also makes the memory peak come with
 * the first batches, not after an hour.
 */
public final class BatchPlan {
    private BatchPlan() {}

    /** The cells' indices, batch by batch. */
    public static List<int[]> plan(int[] lengths, int maxCells, long maxTokens, boolean packed) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[b], lengths[a]) : Integer.compare(a, b));
        List<int[]> out = new ArrayList<>();
        int from = 0;
        while (from < order.length) {
            int longest = lengths[order[from]];
            long tokens = longest;
            int to = from + 1;
            while (to < order.length && to - from < maxCells
                    && (packed ? tokens + lengths[order[to]] : (long) longest * (to - from + 1)) <= maxTokens) {
                tokens += lengths[order[to]];
                to++;
            }
            int[] batch = new int[to - from];
            for (int i = from; i < to; i++) {
                batch[i - from] = order[i];
            }
            out.add(batch);
            from = to;
        }
        return out;
    }
}
