package org.geneformer4j.embed;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Length-bucketed batching: cells sorted by length (longest first, as upstream), cut into batches of at most
 * {@code batchSize} cells and {@code maxTokens} padded tokens, so padding is only ever to the longest cell of a
 * batch of similar lengths.
 */
final class Batches {
    private Batches() {}

    static List<List<Cell>> plan(List<Cell> cells, int batchSize, long maxTokens) {
        List<Cell> sorted = new ArrayList<>(cells);
        sorted.sort(Comparator.comparingInt(Cell::length).reversed().thenComparingInt(Cell::row));
        List<List<Cell>> out = new ArrayList<>();
        List<Cell> cur = new ArrayList<>();
        int longest = 0;
        for (Cell c : sorted) {
            int newLongest = Math.max(longest, c.length());
            if (!cur.isEmpty() && (cur.size() >= batchSize || (long) newLongest * (cur.size() + 1) > maxTokens)) {
                out.add(cur);
                cur = new ArrayList<>();
                newLongest = c.length();
            }
            cur.add(c);
            longest = newLongest;
        }
        if (!cur.isEmpty()) {
            out.add(cur);
        }
        return out;
    }

    /** Right-padded token matrix [batch, longest] (pad 0) and the attention mask, row-major. */
    static long[][] pad(List<Cell> batch, int pad) {
        int longest = 0;
        for (Cell c : batch) {
            longest = Math.max(longest, c.length());
        }
        long[] ids = new long[batch.size() * longest];
        long[] mask = new long[batch.size() * longest];
        java.util.Arrays.fill(ids, pad);
        for (int r = 0; r < batch.size(); r++) {
            int[] t = batch.get(r).tokens();
            for (int j = 0; j < t.length; j++) {
                ids[r * longest + j] = t[j];
                mask[r * longest + j] = 1;
            }
        }
        return new long[][] {ids, mask, {batch.size(), longest}};
    }
}
