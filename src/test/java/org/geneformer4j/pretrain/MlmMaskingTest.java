package org.geneformer4j.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.commons.math3.distribution.ChiSquaredDistribution;
import org.junit.jupiter.api.Test;

/**
 * The masking rule of {@link MlmMasking} by its statistics: selection rate, the 80/10/10 split, which positions are
 * never selected and where random replacements come from. Bounds are 3 standard errors; the seeds are fixed, so a
 * pass is reproducible, and the bounds say the seeds were not picked to pass.
 */
class MlmMaskingTest {
    // gc104M (V2) and gc30M (V1) layouts: <pad> 0, <mask> 1, (<cls> 2, <eos> 3), then genes
    static final int V2 = 20_275;
    static final int V1 = 25_426;

    /** {@code n} V2 cells (<cls> genes <eos>) or V1 cells (genes), 20..600 tokens, genes drawn uniformly. */
    static List<int[]> cells(int n, boolean v2, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<int[]> out = new ArrayList<>();
        int firstGene = v2 ? 4 : 2;
        int vocab = v2 ? V2 : V1;
        for (int i = 0; i < n; i++) {
            int len = r.nextInt(20, 601);
            int[] c = new int[len];
            for (int j = 0; j < len; j++) {
                c[j] = r.nextInt(firstGene, vocab);
            }
            if (v2) {
                c[0] = 2;
                c[len - 1] = 3;
            }
            out.add(c);
        }
        return out;
    }

    /** Counts over many batches of 16 cells. */
    static final class Tally {
        long eligible, selected, toMask, unchanged, other, labelMismatch, unselectedChanged, padSelected, padChanged;
        long cellTokenPositions, cellTokenSelected, exemptSelected;

        void add(MlmMasking m, List<int[]> cells, MlmMasking.Batch b) {
            for (int r = 0; r < b.rows(); r++) {
                int[] c = cells.get(r);
                for (int j = 0; j < b.length(); j++) {
                    int i = r * b.length() + j;
                    long in = b.inputIds()[i];
                    long label = b.labels()[i];
                    if (j >= c.length) {
                        padSelected += label != MlmMasking.IGNORE_INDEX ? 1 : 0;
                        padChanged += in != m.padId() || b.attentionMask()[i] != 0 ? 1 : 0;
                        continue;
                    }
                    assertEquals(1, b.attentionMask()[i]);
                    boolean cellToken = c[j] == 2 || c[j] == 3;
                    cellTokenPositions += cellToken ? 1 : 0;
                    if (m.exempt(c[j])) {
                        if (label != MlmMasking.IGNORE_INDEX) {
                            exemptSelected++;
                            cellTokenSelected += cellToken ? 1 : 0;
                        }
                        unselectedChanged += in != c[j] ? 1 : 0;
                        continue;
                    }
                    eligible++;
                    if (label == MlmMasking.IGNORE_INDEX) {
                        unselectedChanged += in != c[j] ? 1 : 0;
                        continue;
                    }
                    selected++;
                    cellTokenSelected += cellToken ? 1 : 0;
                    labelMismatch += label != c[j] ? 1 : 0;
                    if (in == m.maskId()) {
                        toMask++;
                    } else if (in == c[j]) {
                        unchanged++;
                    } else {
                        other++;
                    }
                }
            }
        }
    }

    static Tally run(MlmMasking m, List<int[]> cells, long seed) {
        Tally t = new Tally();
        for (int from = 0, batch = 0; from < cells.size(); from += 16, batch++) {
            List<int[]> rows = cells.subList(from, Math.min(cells.size(), from + 16));
            MlmMasking.Batch b = m.collate(rows, new SplittableRandom(Seeds.of(seed, 0, batch)));
            t.add(m, rows, b);
            assertEquals(b.selected(), count(b.labels()));
        }
        return t;
    }

    static int count(long[] labels) {
        int n = 0;
        for (long l : labels) {
            n += l != MlmMasking.IGNORE_INDEX ? 1 : 0;
        }
        return n;
    }

    /** |observed share - p| within 3 standard errors of a binomial share of n trials. */
    static void withinThreeSe(String what, long hits, long n, double p) {
        double share = (double) hits / n;
        double se = Math.sqrt(p * (1 - p) / n);
        assertTrue(Math.abs(share - p) <= 3 * se,
                what + ": " + hits + "/" + n + " = " + share + ", expected " + p + " +- 3 x " + se);
    }

    /**
     * The shares upstream's rule implies exactly: a random replacement lands on {@code <mask>} or on the original id
     * with chance 1/|pool| each when they are in the pool.
     */
    static void checkSplit(MlmMasking m, Tally t) {
        int pool = m.randomPool().length;
        boolean maskInPool = false;
        for (int id : m.randomPool()) {
            maskInPool |= id == m.maskId();
        }
        // upstream's numbers, written out (not read from the class under test)
        double pMask = 0.8 + 0.1 * (maskInPool ? 1.0 / pool : 0);
        double pSame = 0.1 + 0.1 / pool;
        withinThreeSe("to <mask>", t.toMask, t.selected, pMask);
        withinThreeSe("unchanged", t.unchanged, t.selected, pSame);
        withinThreeSe("random other", t.other, t.selected, 1 - pMask - pSame);
        assertEquals(t.selected, t.toMask + t.unchanged + t.other);
    }

    static void checkInvariants(Tally t) {
        assertEquals(0, t.labelMismatch, "labels hold the original token");
        assertEquals(0, t.unselectedChanged, "unselected positions keep their token");
        assertEquals(0, t.padSelected, "padding is never selected");
        assertEquals(0, t.exemptSelected, "exempt tokens are never selected");
        assertEquals(0, t.padChanged, "padding stays <pad> with attention 0");
    }

    @Test
    void v1SelectsFifteenPercentAndSplits801010() {
        MlmMasking m = MlmMasking.upstream(V1, 0, 1);
        List<int[]> cells = cells(800, false, 11);
        Tally t = run(m, cells, 42);
        assertTrue(t.eligible > 200_000, "enough positions for 3-SE bounds of ~0.1 %: " + t.eligible);
        withinThreeSe("selected", t.selected, t.eligible, 0.15);
        checkSplit(m, t);
        checkInvariants(t);
    }

    @Test
    void v2UpstreamMasksCellTokensLikeGenes() {
        // GeneformerPreCollator's special tokens are <pad> and <mask> only: <cls>/<eos> are selected at 15 % too
        MlmMasking m = MlmMasking.upstream(V2, 0, 1, 2, 3);
        assertFalse(m.exempt(2));
        assertFalse(m.exempt(3));
        List<int[]> cells = cells(800, true, 12);
        Tally t = run(m, cells, 43);
        withinThreeSe("selected", t.selected, t.eligible, 0.15);
        withinThreeSe("<cls>/<eos> selected", t.cellTokenSelected, t.cellTokenPositions, 0.15);
        checkSplit(m, t);
        checkInvariants(t);
    }

    @Test
    void v2WithCellTokensExemptNeverSelectsThem() {
        MlmMasking m = MlmMasking.upstream(V2, 0, 1, 2, 3).exemptCellTokens();
        List<int[]> cells = cells(800, true, 13);
        Tally t = run(m, cells, 44);
        assertEquals(1600, t.cellTokenPositions);
        assertEquals(0, t.cellTokenSelected);
        withinThreeSe("selected", t.selected, t.eligible, 0.15);
        checkSplit(m, t);
        checkInvariants(t);
    }

    @Test
    void strayMaskTokensInTheInputAreNeverSelected() {
        MlmMasking m = MlmMasking.upstream(V1, 0, 1);
        List<int[]> cells = cells(64, false, 14);
        for (int[] c : cells) {
            for (int j = 0; j < c.length; j += 3) {
                c[j] = 1;
            }
        }
        Tally t = run(m, cells, 45);
        checkInvariants(t);
        withinThreeSe("selected", t.selected, t.eligible, 0.15);
    }

    /**
     * Random replacements, made visible: every gene position holds gene 7 and half of the positions are selected,
     * so an output other than 7 and {@code <mask>} is a random draw that landed elsewhere. Those must be uniform over
     * the pool without 7 and {@code <mask>} (chi-square at 0.1 %), and absent outside the pool.
     */
    static long[] randomLandings(MlmMasking m, int vocab, int cellsCount, long seed) {
        long[] hits = new long[vocab];
        SplittableRandom r = new SplittableRandom(seed);
        for (int b = 0; b < cellsCount / 16; b++) {
            List<int[]> rows = new ArrayList<>();
            for (int k = 0; k < 16; k++) {
                int[] c = new int[r.nextInt(50, 200)];
                java.util.Arrays.fill(c, 7);
                c[0] = 2;
                c[c.length - 1] = 3;
                rows.add(c);
            }
            MlmMasking.Batch batch = m.collate(rows, new SplittableRandom(Seeds.of(seed, b)));
            for (int i = 0; i < batch.inputIds().length; i++) {
                if (batch.labels()[i] == 7 && batch.inputIds()[i] != 7 && batch.inputIds()[i] != m.maskId()) {
                    hits[(int) batch.inputIds()[i]]++;
                }
            }
        }
        return hits;
    }

    static void uniformOver(long[] hits, int[] support) {
        long n = 0;
        for (int id : support) {
            n += hits[id];
        }
        long all = 0;
        for (long h : hits) {
            all += h;
        }
        assertEquals(all, n, "random replacements outside the pool");
        double expected = (double) n / support.length;
        double chi2 = 0;
        for (int id : support) {
            chi2 += (hits[id] - expected) * (hits[id] - expected) / expected;
        }
        double critical = new ChiSquaredDistribution(support.length - 1).inverseCumulativeProbability(0.999);
        assertTrue(n > 200L * support.length, "too few random draws: " + n);
        assertTrue(chi2 < critical, "chi-square " + chi2 + " >= " + critical + " over " + support.length + " ids");
    }

    @Test
    void upstreamRandomTokensComeFromTheWholeVocabulary() {
        int vocab = 12;
        MlmMasking m = MlmMasking.upstream(vocab, 0, 1, 2, 3).withProbability(0.5);
        long[] hits = randomLandings(m, vocab, 4000, 5);
        // all ids but 7 (indistinguishable from unchanged) and <mask> (indistinguishable from masking)
        uniformOver(hits, new int[] {0, 2, 3, 4, 5, 6, 8, 9, 10, 11});
        assertTrue(hits[0] > 0 && hits[2] > 0, "upstream draws <pad> and <cls> as random tokens too");
    }

    @Test
    void genesOnlyRandomTokensAvoidEveryExemptId() {
        int vocab = 12;
        MlmMasking m = MlmMasking.upstream(vocab, 0, 1, 2, 3).exemptCellTokens().randomGenesOnly().withProbability(0.5);
        assertArrayEquals(new int[] {4, 5, 6, 7, 8, 9, 10, 11}, m.randomPool());
        assertArrayEquals(m.randomPool(), MlmMasking.upstream(vocab, 0, 1, 2, 3).randomGenesOnly().exemptCellTokens()
                .randomPool(), "the order of the two options does not matter");
        uniformOver(randomLandings(m, vocab, 4000, 6), new int[] {4, 5, 6, 8, 9, 10, 11});
    }

    @Test
    void sameSeedSameMasksOtherSeedOtherMasks() {
        MlmMasking m = MlmMasking.upstream(V2, 0, 1, 2, 3);
        List<int[]> cells = cells(16, true, 15);
        MlmMasking.Batch a = m.collate(cells, new SplittableRandom(Seeds.of(7, 1, 2)));
        MlmMasking.Batch b = m.collate(cells, new SplittableRandom(Seeds.of(7, 1, 2)));
        MlmMasking.Batch c = m.collate(cells, new SplittableRandom(Seeds.of(7, 1, 3)));
        assertArrayEquals(a.inputIds(), b.inputIds());
        assertArrayEquals(a.labels(), b.labels());
        assertFalse(java.util.Arrays.equals(a.labels(), c.labels()));
        assertNotEquals(Seeds.of(7, 1, 2), Seeds.of(7, 2, 1));
        assertNotEquals(Seeds.of(7, 0), Seeds.of(8, 0));
    }

    @Test
    void collatePadsOnTheRightToTheLongestCell() {
        MlmMasking m = MlmMasking.upstream(10, 0, 1).withProbability(1e-9);
        MlmMasking.Batch b = m.collate(List.of(new int[] {5, 6, 7}, new int[] {8}), new SplittableRandom(1));
        assertEquals(2, b.rows());
        assertEquals(3, b.length());
        assertArrayEquals(new long[] {5, 6, 7, 8, 0, 0}, b.inputIds());
        assertArrayEquals(new long[] {1, 1, 1, 1, 0, 0}, b.attentionMask());
        assertArrayEquals(new long[] {-100, -100, -100, -100, -100, -100}, b.labels());
    }
}
