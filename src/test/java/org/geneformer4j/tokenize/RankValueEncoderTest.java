package org.geneformer4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.Test;

class RankValueEncoderTest {
    private static final Normalization DOUBLE = new Normalization(Normalization.Path.NUMPY_DENSE, false, 10_000);

    /** A vocabulary of genes G0..G{n-1} (tokens 4..) with the given medians, V2-style specials, identity mapping. */
    private static GeneVocabulary vocab(double... medians) {
        Map<String, String> tokens = new LinkedHashMap<>();
        Map<String, String> med = new LinkedHashMap<>();
        tokens.put("<pad>", "0");
        tokens.put("<mask>", "1");
        tokens.put("<cls>", "2");
        tokens.put("<eos>", "3");
        for (int i = 0; i < medians.length; i++) {
            tokens.put("G" + i, Integer.toString(4 + i));
            med.put("G" + i, Double.toString(medians[i]));
        }
        Map<String, String> mapping = new LinkedHashMap<>();
        for (int i = 0; i < medians.length; i++) mapping.put("G" + i, "G" + i);
        mapping.put("ALIAS1", "G1");
        return GeneVocabularyAccess.build(tokens, med, mapping);
    }

    private static CsrBlock row(double... values) {
        int nnz = 0;
        for (double v : values) if (v != 0) nnz++;
        int[] idx = new int[nnz];
        double[] val = new double[nnz];
        int k = 0;
        for (int j = 0; j < values.length; j++) {
            if (values[j] != 0) {
                idx[k] = j;
                val[k++] = values[j];
            }
        }
        return new CsrBlock(0, 1, new int[] {0, nnz}, idx, val);
    }

    private static int[] encode(GeneVocabulary v, List<String> genes, int maxGenes, boolean specials, double nCounts,
                                double... counts) {
        GenePlan plan = GenePlan.build(v, genes, true, "test");
        RankValueEncoder e = new RankValueEncoder(plan, DOUBLE, maxGenes, specials ? 2 : -1, specials ? 3 : -1, false);
        return e.encode(row(counts), 0, nCounts, "cell");
    }

    @Test
    void ranksByCountOverMedianDescending() {
        GeneVocabulary v = vocab(1.0, 4.0, 0.5);
        // values/median: G0 4/1 = 4, G1 8/4 = 2, G2 3/0.5 = 6  -> G2, G0, G1
        assertArrayEquals(new int[] {2, 6, 4, 5, 3}, encode(v, List.of("G0", "G1", "G2"), 10, true, 100, 4, 8, 3));
        assertArrayEquals(new int[] {6, 4, 5}, encode(v, List.of("G0", "G1", "G2"), 10, false, 100, 4, 8, 3));
    }

    @Test
    void exactTiesKeepColumnOrder() {
        GeneVocabulary v = vocab(2.0, 2.0, 2.0, 2.0);
        assertArrayEquals(new int[] {4, 5, 6, 7}, encode(v, List.of("G0", "G1", "G2", "G3"), 10, false, 50, 3, 3, 3, 3));
        assertArrayEquals(new int[] {6, 7, 5}, encode(v, List.of("G2", "G3", "G1"), 10, false, 50, 3, 3, 3));
    }

    @Test
    void valuesEqualInTheirHighBitsAreStillOrderedExactly() {
        // medians one ulp apart at the scale that makes the packed keys collide in their upper 48 bits
        double m = 1.7;
        double m2 = Math.nextUp(Math.nextUp(m));
        GeneVocabulary v = vocab(m2, m);
        // equal counts: G1 (smaller median) has the larger value and must come first despite column order
        assertArrayEquals(new int[] {5, 4}, encode(v, List.of("G0", "G1"), 10, false, 100, 7, 7));
    }

    @Test
    void idsMappingToOneGeneAreSummedAndPlacedAfterUniqueGenes() {
        GeneVocabulary v = vocab(1.0, 1.0, 1.0);
        // columns: G1, G0, alias of G1, G2. G1 = 2 + 2 = 4 ties with G2 = 4; G1 is a summed gene, so it sorts after G2.
        int[] t = encode(v, List.of("G1", "G0", "alias1", "G2"), 10, false, 100, 2, 1, 2, 4);
        assertArrayEquals(new int[] {6, 5, 4}, t);
    }

    @Test
    void truncatesBeforeAddingSpecialTokens() {
        GeneVocabulary v = vocab(1, 1, 1, 1, 1);
        int[] t = encode(v, List.of("G0", "G1", "G2", "G3", "G4"), 3, true, 100, 5, 4, 3, 2, 1);
        assertArrayEquals(new int[] {2, 4, 5, 6, 3}, t);
    }

    @Test
    void emptyCellsFollowUpstream() {
        GeneVocabulary v = vocab(1, 1);
        assertArrayEquals(new int[] {2, 3}, encode(v, List.of("G0", "G1"), 10, true, 0, 0, 0));
        assertArrayEquals(new int[] {}, encode(v, List.of("G0", "G1"), 10, false, 0, 0, 0));
    }

    @Test
    void largeCellsSortLikeAPlainStableComparatorSort() {
        // 3,000 genes take the radix path; medians from a small set make exact ties, nextUp makes near-ties
        java.util.Random rnd = new java.util.Random(7);
        int n = 3000;
        double[] medians = new double[n];
        double[] pool = {0.5, 1.1, 1.7, Math.nextUp(1.7), 2.9, 13.0};
        for (int i = 0; i < n; i++) medians[i] = pool[rnd.nextInt(pool.length)];
        GeneVocabulary v = vocab(medians);
        List<String> genes = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) genes.add("G" + i);
        double[] counts = new double[n];
        for (int i = 0; i < n; i++) counts[i] = rnd.nextInt(5) == 0 ? 0 : 1 + rnd.nextInt(40);
        double total = 123_457;
        int[] got = encode(v, genes, 2500, false, total, counts);
        Integer[] order = java.util.stream.IntStream.range(0, n).filter(i -> counts[i] != 0).boxed().toArray(Integer[]::new);
        java.util.Arrays.sort(order, (a, b) -> {
            double va = counts[a] / total * 10_000 / medians[a], vb = counts[b] / total * 10_000 / medians[b];
            return va != vb ? Double.compare(vb, va) : Integer.compare(a, b);
        });
        int[] expected = java.util.Arrays.stream(order).limit(2500).mapToInt(i -> 4 + i).toArray();
        assertArrayEquals(expected, got);
    }

    @Test
    void rejectsNonCountValues() {
        GeneVocabulary v = vocab(1, 1);
        UserException e = assertThrows(UserException.class, () -> encode(v, List.of("G0", "G1"), 10, false, 10, 1.5, 2));
        assertTrue(e.getMessage().contains("non-integer"), e.getMessage());
        assertThrows(UserException.class, () -> encode(v, List.of("G0", "G1"), 10, false, 10, -1, 2));
        assertThrows(UserException.class, () -> encode(v, List.of("G0", "G1"), 10, false, 10, Double.NaN, 2));
        GenePlan plan = GenePlan.build(v, List.of("G0", "G1"), true, "t");
        RankValueEncoder lenient = new RankValueEncoder(plan, DOUBLE, 10, -1, -1, true);
        assertArrayEquals(new int[] {5, 4}, lenient.encode(row(1.5, 2), 0, 10, "c"));
    }

    @Test
    void rejectsZeroTotalWithExpressedGenes() {
        GeneVocabulary v = vocab(1, 1);
        assertThrows(UserException.class, () -> encode(v, List.of("G0", "G1"), 10, false, 0, 1, 2));
    }

    @Test
    void noCollapseRejectsDuplicateIds() {
        GeneVocabulary v = vocab(1, 1);
        assertThrows(UserException.class, () -> GenePlan.build(v, List.of("G0", "G0"), false, "t"));
        assertEquals(1, GenePlan.build(v, List.of("G0", "g1"), false, "t").genes(), "no mapping, no upper-casing");
    }
}
