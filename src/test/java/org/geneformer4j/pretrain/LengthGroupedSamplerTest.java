package org.geneformer4j.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The epoch order of {@link LengthGroupedSampler} and its shards, by the properties transformers' sampler has. */
class LengthGroupedSamplerTest {

    /** Cell-like lengths: 200..4096 tokens, many repeats (ties must stay stable). */
    static int[] lengths(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int[] l = new int[n];
        for (int i = 0; i < n; i++) {
            l[i] = r.nextInt(200, 4097);
        }
        return l;
    }

    static int max(int[] lengths) {
        int m = 0;
        for (int l : lengths) {
            m = Math.max(m, l);
        }
        return m;
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
        assertEquals(50 * 12, new LengthGroupedSampler(new int[100_000], 12, 0).megabatchSize());
        assertEquals(10 * 12, new LengthGroupedSampler(new int[480], 12, 0).megabatchSize()); // 480 / 48 = 10
        assertEquals(12, new LengthGroupedSampler(new int[20], 12, 0).megabatchSize()); // tiny: one batch
    }

    /**
     * Runs of non-increasing length are exactly the megabatches: sorted inside (but for the one swap), and a rise at
     * most boundaries (a random megabatch's longest beats the previous one's shortest), so not longer than that either.
     */
    @Test
    void megabatchesAreSortedLongestFirstWithTheLongestExampleFirst() {
        int[] len = lengths(30_000, 1);
        LengthGroupedSampler s = new LengthGroupedSampler(len, 12, 7);
        int m = s.megabatchSize();
        assertEquals(600, m);
        int[] order = s.order(0);
        assertPermutation(order, len.length);
        assertEquals(max(len), len[order[0]], "the longest example comes first");
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
        assertTrue(outOfOrder <= 1, "at most the megabatch that gave up the longest example: " + outOfOrder);
        int boundaries = (order.length + m - 1) / m - 1;
        assertTrue(rises >= boundaries - 2, rises + " rises at " + boundaries + " megabatch boundaries");
    }

    @Test
    void equalLengthsKeepTheirShuffledOrderInsideAMegabatch() {
        int[] len = new int[1000];
        java.util.Arrays.fill(len, 300);
        LengthGroupedSampler s = new LengthGroupedSampler(len, 10, 3);
        int[] order = s.order(0);
        assertPermutation(order, len.length);
        int ascending = 0;
        for (int i = 1; i < order.length; i++) {
            ascending += order[i] > order[i - 1] ? 1 : 0;
        }
        // a shuffled order rises about half the time; a sort by index (unstable key) would always rise
        assertTrue(ascending > 400 && ascending < 600, "ascending steps " + ascending);
    }

    @Test
    void sameSeedSameOrderOtherSeedOrEpochOtherOrder() {
        int[] len = lengths(5000, 2);
        int[] a = new LengthGroupedSampler(len, 8, 42).order(3);
        assertArrayEquals(a, new LengthGroupedSampler(len, 8, 42).order(3));
        assertFalse(java.util.Arrays.equals(a, new LengthGroupedSampler(len, 8, 43).order(3)));
        assertFalse(java.util.Arrays.equals(a, new LengthGroupedSampler(len, 8, 42).order(4)));
    }

    @Test
    void batchesCutTheOrder() {
        int[] len = lengths(1003, 3);
        LengthGroupedSampler s = new LengthGroupedSampler(len, 10, 5);
        List<int[]> b = s.batches(0);
        assertEquals(101, b.size());
        assertEquals(101, s.batchesPerEpoch());
        assertEquals(3, b.get(100).length);
        int[] order = s.order(0);
        for (int k = 0; k < b.size(); k++) {
            assertArrayEquals(java.util.Arrays.copyOfRange(order, k * 10, Math.min(1003, k * 10 + 10)), b.get(k));
        }
    }

    @Test
    void ranksShareTheEpochDisjointlyAndCompletely() {
        int[] ns = {0, 1, 5, 12, 97, 1000, 1003, 4801};
        int[] worlds = {1, 2, 3, 4, 7, 16};
        for (int n : ns) {
            int[] len = lengths(n, n);
            LengthGroupedSampler s = new LengthGroupedSampler(len, 12, 9);
            for (int w : worlds) {
                int[] count = new int[n];
                int steps = s.shard(0, w).stepsPerEpoch();
                assertEquals((s.batchesPerEpoch() + w - 1) / w, steps);
                int[] lastSizes = new int[w];
                for (int r = 0; r < w; r++) {
                    List<int[]> b = s.shard(r, w).batches(2);
                    assertEquals(steps, b.size(), "every rank takes the same number of steps");
                    for (int k = 0; k < b.size(); k++) {
                        if (k < b.size() - 1) {
                            assertEquals(12, b.get(k).length);
                        }
                        for (int i : b.get(k)) {
                            count[i]++;
                        }
                    }
                    lastSizes[r] = b.isEmpty() ? 0 : b.get(b.size() - 1).length;
                }
                for (int i = 0; i < n; i++) {
                    assertEquals(1, count[i], "n " + n + " world " + w + ": example " + i);
                }
                int lo = Integer.MAX_VALUE;
                int hi = 0;
                for (int x : lastSizes) {
                    lo = Math.min(lo, x);
                    hi = Math.max(hi, x);
                }
                assertTrue(n == 0 || hi - lo <= 1, "last step balanced: " + java.util.Arrays.toString(lastSizes));
            }
        }
    }

    @Test
    void ranksTakeAdjacentGlobalBatchesAndOneRankIsTheSingleProcessOrder() {
        int[] len = lengths(10_000, 4);
        LengthGroupedSampler s = new LengthGroupedSampler(len, 12, 11);
        List<int[]> global = s.batches(1);
        List<int[]> single = s.shard(0, 1).batches(1);
        assertEquals(global.size(), single.size());
        for (int k = 0; k < global.size(); k++) {
            assertArrayEquals(global.get(k), single.get(k));
        }
        int w = 4;
        for (int r = 0; r < w; r++) {
            List<int[]> b = s.shard(r, w).batches(1);
            for (int step = 0; step < b.size() - 1; step++) {
                assertArrayEquals(global.get(step * w + r), b.get(step));
            }
        }
        assertEquals(max(len), len[s.shard(0, w).batches(1).get(0)[0]], "rank 0 starts with the longest example");
    }

    @Test
    void aResumedRankSkipsTheStepsDone() {
        int[] len = lengths(3000, 5);
        LengthGroupedSampler s = new LengthGroupedSampler(len, 12, 13);
        for (int r = 0; r < 3; r++) {
            LengthGroupedSampler.Shard shard = s.shard(r, 3);
            List<int[]> all = shard.batches(5);
            for (int k : new int[] {0, 1, 17, all.size() - 1, all.size()}) {
                List<int[]> resumed = new LengthGroupedSampler(len, 12, 13).shard(r, 3).batches(5, k);
                assertEquals(all.size() - k, resumed.size());
                for (int i = 0; i < resumed.size(); i++) {
                    assertArrayEquals(all.get(k + i), resumed.get(i));
                }
            }
        }
    }
}
