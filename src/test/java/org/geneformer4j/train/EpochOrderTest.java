package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The epoch order and the ranks' shares of it, by the properties transformers' length-grouped sampler has. */
class EpochOrderTest {

    /** Cell-like lengths: 200..4096 tokens, many repeats (ties must stay stable). */
    static int[] lengths(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = r.nextInt(200, 4097);
        }
        return l;
    }

    static int[] order(int[] len, int batch, boolean group, long seed, int epoch) {
        return EpochOrder.order(len.length, i -> len[i], batch, group, seed, epoch);
    }

    static void assertPermutation(int[] order, int n) {
        assertEquals(n, order.length);
        boolean[] seen = new boolean[n];
        for (int i : order) {
            assertFalse(seen[i], "index " + i + " twice");
            seen[i] = true;
        }
    }

    @Test
    void megabatchSizeIsTransformersDefault() {
        assertEquals(50 * 12, EpochOrder.megabatchSize(100_000, 12));
        assertEquals(10 * 12, EpochOrder.megabatchSize(480, 12)); // 480 / 48 = 10
        assertEquals(12, EpochOrder.megabatchSize(20, 12)); // tiny: one batch
    }

    /**
     * Runs of non-increasing length are exactly the megabatches: sorted inside (but for the one swap), and a rise at
     * most boundaries (a random megabatch's longest beats the previous one's shortest), so not longer than that either.
     */
    @Test
    void megabatchesAreSortedLongestFirstWithTheLongestCellFirst() {
        int[] len = lengths(30_000, 1);
        int m = EpochOrder.megabatchSize(len.length, 12);
        assertEquals(600, m);
        int[] order = order(len, 12, true, 7, 0);
        assertPermutation(order, len.length);
        assertEquals(Arrays.stream(len).max().getAsInt(), len[order[0]], "the longest cell comes first");
        int outOfOrder = 0;
        int rises = 0;
        for (int from = 0; from < order.length; from += m) {
            int to = Math.min(order.length, from + m);
            for (int i = from + 1; i < to; i++) {
                if (len[order[i]] > len[order[i - 1]]) {
                    outOfOrder++;
                    assertEquals(from + 1, i, "only the first of a megabatch (the swap) may be shorter than the next");
                }
            }
            if (from > 0) {
                rises += len[order[from]] > len[order[from - 1]] ? 1 : 0;
            }
        }
        assertTrue(outOfOrder <= 1, "at most the megabatch that gave up the longest cell: " + outOfOrder);
        int boundaries = (order.length + m - 1) / m - 1;
        assertTrue(rises >= boundaries - 2, rises + " rises at " + boundaries + " megabatch boundaries");
    }

    /** The longest cell sits in a later megabatch in most epochs; it must still come first. */
    @Test
    void theLongestCellComesFirstInEveryEpoch() {
        int[] len = lengths(5000, 9);
        len[4321] = 5000;
        for (int epoch = 0; epoch < 20; epoch++) {
            assertEquals(4321, order(len, 8, true, 3, epoch)[0], "epoch " + epoch);
        }
    }

    @Test
    void equalLengthsKeepTheirShuffledOrderInsideAMegabatch() {
        int[] len = new int[1000];
        Arrays.fill(len, 300);
        int[] order = order(len, 10, true, 3, 0);
        assertPermutation(order, len.length);
        int ascending = 0;
        for (int i = 1; i < order.length; i++) {
            ascending += order[i] > order[i - 1] ? 1 : 0;
        }
        // a shuffled order rises about half the time; a sort by index (unstable key) would always rise
        assertTrue(ascending > 400 && ascending < 600, "ascending steps " + ascending);
    }

    @Test
    void withoutGroupingTheOrderIsAShuffle() {
        int[] len = lengths(3000, 4);
        int[] order = order(len, 10, false, 3, 0);
        assertPermutation(order, len.length);
        int rises = 0;
        for (int i = 1; i < order.length; i++) {
            rises += len[order[i]] > len[order[i - 1]] ? 1 : 0;
        }
        assertTrue(rises > 1300 && rises < 1700, "a shuffle rises about half the time: " + rises);
    }

    @Test
    void sameSeedSameOrderOtherSeedOrEpochOtherOrder() {
        int[] len = lengths(5000, 2);
        int[] a = order(len, 8, true, 42, 3);
        assertArrayEquals(a, order(len, 8, true, 42, 3));
        assertFalse(Arrays.equals(a, order(len, 8, true, 43, 3)));
        assertFalse(Arrays.equals(a, order(len, 8, true, 42, 4)));
    }

    @Test
    void emptyAndSingleCellEpochs() {
        assertEquals(0, order(new int[0], 4, true, 1, 0).length);
        assertArrayEquals(new int[] {0}, order(new int[] {7}, 4, true, 1, 0));
    }

    /** Each rank's share of a job's batch: contiguous, disjoint, complete, sizes within one of each other. */
    @Test
    void ranksShareEveryBatchDisjointlyAndCompletely() {
        for (int size : new int[] {0, 1, 5, 12, 13, 97}) {
            int[] batch = new int[size];
            for (int i = 0; i < size; i++) {
                batch[i] = 1000 + i;
            }
            for (int world : new int[] {1, 2, 3, 4, 7, 16}) {
                int[] joined = new int[0];
                int lo = Integer.MAX_VALUE;
                int hi = 0;
                for (int r = 0; r < world; r++) {
                    int[] share = TrainStep.share(batch, r, world);
                    lo = Math.min(lo, share.length);
                    hi = Math.max(hi, share.length);
                    int[] next = Arrays.copyOf(joined, joined.length + share.length);
                    System.arraycopy(share, 0, next, joined.length, share.length);
                    joined = next;
                }
                assertArrayEquals(batch, joined, "size " + size + " world " + world);
                assertTrue(hi - lo <= 1, "balanced: " + lo + ".." + hi);
            }
        }
    }
}
