package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Inputs that tokenize "fine" into meaningless data: too few vocabulary genes, mostly empty cells, repeated ids. */
class TokenizeInputChecksCliTest {
    @TempDir
    Path tmp;

    /** Gene IDs of the V2 vocabulary, for inputs that should match it. */
    private static List<String> vocabGenes(int n) {
        GeneVocabulary v = GeneVocabulary.builtin("gc104M");
        List<String> out = new ArrayList<>();
        for (int t = 0; out.size() < n; t++) {
            String id = v.tokenName(t);
            if (id.startsWith("ENSG")) out.add(id);
        }
        return out;
    }

    /**
     * A 10x folder of {@code genes} and {@code cells} cells: cell c expresses gene g (count 2+g%3) where
     * {@code expressed[c]} lists it.
     */
    private Path tenx(String name, List<String> genes, int[][] expressed, String barcodePrefix) throws IOException {
        Path dir = Files.createDirectories(tmp.resolve(name));
        StringBuilder f = new StringBuilder();
        for (String g : genes) f.append(g).append('\t').append(g).append("\tGene Expression\n");
        Files.writeString(dir.resolve("features.tsv"), f);
        StringBuilder b = new StringBuilder();
        for (int c = 0; c < expressed.length; c++) b.append(barcodePrefix).append(c).append("-1\n");
        Files.writeString(dir.resolve("barcodes.tsv"), b);
        StringBuilder m = new StringBuilder();
        int nnz = 0;
        for (int[] e : expressed) nnz += e.length;
        m.append("%%MatrixMarket matrix coordinate integer general\n")
                .append(genes.size()).append(' ').append(expressed.length).append(' ').append(nnz).append('\n');
        for (int c = 0; c < expressed.length; c++) {
            for (int g : expressed[c]) m.append(g + 1).append(' ').append(c + 1).append(' ').append(2 + g % 3).append('\n');
        }
        Files.writeString(dir.resolve("matrix.mtx"), m);
        return dir;
    }

    private Cli tokenize(String... args) {
        List<String> all = new ArrayList<>(List.of("tokenize", "-o", tmp.resolve("out.dataset").toString()));
        all.addAll(List.of(args));
        return Cli.run(all.toArray(String[]::new));
    }

    private void assertRefused(Cli r, String... expect) {
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.errorLines(), r.err());
        for (String e : expect) assertTrue(r.err().contains(e), "expected '" + e + "' in: " + r.err());
        assertFalse(Files.exists(tmp.resolve("out.dataset")));
    }

    @Test
    void oneVocabularyGeneOf765IsRefusedNamingTheGeneColumn() throws IOException {
        // the case: 1 of 765 genes known, two thirds of the cells empty
        List<String> genes = new ArrayList<>(vocabGenes(1));
        for (int g = 1; g < 765; g++) genes.add("NOT_A_GENE_" + g);
        int[][] expressed = new int[30][];
        for (int c = 0; c < 30; c++) expressed[c] = c < 10 ? new int[] {0, 5, 7} : new int[] {5, 7, 100};
        String in = tenx("sample", genes, expressed, "AAAC").toString();
        assertRefused(tokenize("-i", in), "only 1 of 765 genes (0.1%) of the gene index are in the gc104M vocabulary",
                "--min-vocab-coverage 0");
        assertRefused(tokenize("-i", in, "--gene-column", "gene_symbols"), "of gene column 'gene_symbols'");
        Cli anyway = tokenize("-i", in, "--min-vocab-coverage", "0");
        assertEquals(0, anyway.exit(), anyway.err());
        assertTrue(anyway.err().contains("20 cell(s) have no expressed vocabulary gene"), anyway.err());
    }

    @Test
    void mostCellsEmptyIsRefusedEvenWithFullCoverage() throws IOException {
        int[][] expressed = new int[30][];
        for (int c = 0; c < 30; c++) expressed[c] = c < 10 ? new int[] {0, 1, 2} : new int[0];
        String in = tenx("sparse", vocabGenes(20), expressed, "AAAC").toString();
        assertRefused(tokenize("-i", in), "20 of 30 cells have no expressed gene of the gc104M vocabulary (genes read from the gene index)");
        assertEquals(0, tokenize("-i", in, "--min-vocab-coverage", "0").exit());
    }

    @Test
    void coverageOptionIsAFraction() {
        Cli r = tokenize("-i", "x.h5ad", "--min-vocab-coverage", "10");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("--min-vocab-coverage must be between 0 and 1"), r.err());
    }

    @Test
    void repeatedCellIdsAcrossInputsAreRefusedUnlessPrefixed() throws IOException {
        int[][] expressed = new int[4][];
        for (int c = 0; c < 4; c++) expressed[c] = new int[] {0, 1 + c, 5};
        List<String> genes = vocabGenes(10);
        String s1 = tenx("s1", genes, expressed, "AAAC").toString();
        String s2 = tenx("s2", genes, expressed, "AAAC").toString();
        assertRefused(tokenize("-i", s1 + "," + s2), "cell id 'AAAC0-1' is also in " + s1, "--prefix-cell-ids");
        Cli ok = tokenize("-i", s1 + "," + s2, "--prefix-cell-ids");
        assertEquals(0, ok.exit(), ok.err());
        Cli rows = Cli.run("dataset", "export", tmp.resolve("out.dataset").toString(), "--format", "csv");
        assertTrue(rows.out().contains("s1:AAAC0-1") && rows.out().contains("s2:AAAC3-1"), rows.out());
        // 10x folders share their name: the prefix adds the input's position
        Path a = Files.createDirectories(tmp.resolve("a")), b = Files.createDirectories(tmp.resolve("b"));
        Path m1 = Files.move(Path.of(s1), a.resolve("filtered_feature_bc_matrix"));
        Path m2 = Files.move(Path.of(s2), b.resolve("filtered_feature_bc_matrix"));
        Cli same = Cli.run("tokenize", "-i", m1 + "," + m2, "--prefix-cell-ids", "-o", tmp.resolve("same.dataset").toString());
        assertEquals(0, same.exit(), same.err());
        String both = Cli.run("dataset", "export", tmp.resolve("same.dataset").toString(), "--format", "csv").out();
        assertTrue(both.contains("filtered_feature_bc_matrix-1:AAAC0-1") && both.contains("filtered_feature_bc_matrix-2:AAAC0-1"), both);
        // distinct barcodes need no prefix
        String s3 = tenx("s3", genes, expressed, "TTTG").toString();
        assertEquals(0, Cli.run("tokenize", "-i", m1 + "," + s3, "-o", tmp.resolve("two.dataset").toString()).exit());
    }
}
