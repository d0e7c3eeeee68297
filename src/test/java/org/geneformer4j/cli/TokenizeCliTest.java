package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenizeCliTest {
    @TempDir
    Path tmp;

    private static String fx(String name) {
        return TestData.resource("fixtures/" + name).toString();
    }

    private void assertNoOutput(Path out) throws Exception {
        assertFalse(Files.exists(out), "no output after a failed run");
        try (Stream<Path> s = Files.list(out.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().contains(".partial")), "no partial output left");
        }
    }

    /** Fails with exit 1, one error line containing {@code expect}, and no output. */
    private void assertFails(String expect, String... args) throws Exception {
        Path out = tmp.resolve("out.dataset");
        String[] all = Stream.concat(Stream.of("tokenize", "-o", out.toString()), Arrays.stream(args)).toArray(String[]::new);
        Cli r = Cli.run(all);
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains(expect), "expected '" + expect + "' in: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace without --verbose");
        assertNoOutput(out);
    }

    @Test
    void versionAndHelp() {
        Cli v = Cli.run("--version");
        assertEquals(0, v.exit());
        assertTrue(v.out().contains("geneformer4j"));
        Cli h = Cli.run("tokenize", "--help");
        assertEquals(0, h.exit());
        for (String opt : List.of("--model-version", "--input-size", "special-tokens", "--target-sum", "--attr",
                "--chunk-size", "--threads", "--allow-non-integer", "--gene-column", "--layer", "--raw")) {
            assertTrue(h.out().contains(opt), opt);
        }
    }

    @Test
    void usageErrorsExitTwo() {
        assertEquals(2, Cli.run("tokenize", "--no-such-option").exit());
        assertEquals(2, Cli.run("tokenize", "-i", "x.h5ad").exit(), "missing -o");
        assertEquals(2, Cli.run("no-such-command").exit());
    }

    @Test
    void tokenizesTheExampleWithAttributes() throws Exception {
        Path out = tmp.resolve("pbmc.dataset");
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString(),
                "--attr", "bulk_labels=cell_type", "--attr", "n_counts", "--threads", "2");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("wrote 700 cells"), r.err());
        Cli info = Cli.run("dataset", "info", out.toString());
        assertEquals(0, info.exit());
        assertTrue(info.out().contains("rows: 700"), info.out());
        assertTrue(info.out().contains("cell_type: string"));
        assertTrue(info.out().contains("n_counts: float32"));
        Cli again = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString());
        assertEquals(1, again.exit(), "existing output is kept");
        assertTrue(again.err().contains("--overwrite"));
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString(), "--overwrite").exit());
    }

    @Test
    void severalInputsAreConcatenatedInOrder() throws Exception {
        Path out = tmp.resolve("two.dataset");
        Cli r = Cli.run("tokenize", "-i", TestData.example() + "," + fx("pbmc68k_csc.h5ad"), "-o", out.toString(), "--model-version", "V1",
                "--prefix-cell-ids"); // the same cells twice
        assertEquals(0, r.exit(), r.err());
        Cli head = Cli.run("dataset", "export", out.toString(), "--format", "csv");
        assertEquals(1401, head.out().lines().count(), "header + 2 × 700 rows");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "bad_nan.h5ad|NaN",
            "bad_inf.h5ad|infinite",
            "bad_negative.h5ad|negative",
            "bad_dup_ids.h5ad|duplicate cell id 'c1'",
            "bad_no_vocab_genes.h5ad|none of the 5 genes is in the gc104M vocabulary",
            "pbmc68k_layers.h5ad|non-integer"})
    void badInputsFailWithOneClearLine(String file, String message) throws Exception {
        assertFails(message, "-i", fx(file));
    }

    @Test
    void normalisedDataHintsAtTheCountsLayer() throws Exception {
        assertFails("--layer", "-i", fx("pbmc68k_layers.h5ad"));
        Path out = tmp.resolve("counts.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", fx("pbmc68k_layers.h5ad"), "--layer", "counts", "-o", out.toString()).exit());
        assertEquals(0, Cli.run("tokenize", "-i", fx("pbmc68k_layers.h5ad"), "--raw", "-o", tmp.resolve("raw.dataset").toString()).exit());
        assertFails("no layer 'spliced'", "-i", fx("pbmc68k_layers.h5ad"), "--layer", "spliced");
    }

    @Test
    void missingCorruptAndForeignFiles() throws Exception {
        assertFails("file not found", "-i", tmp.resolve("absent.h5ad").toString());
        Path text = tmp.resolve("text.h5ad");
        Files.writeString(text, "cell,gene\n1,2\n");
        assertFails("not an HDF5 file", "-i", text.toString());
        Path cut = tmp.resolve("cut.h5ad");
        byte[] full = Files.readAllBytes(TestData.example());
        Files.write(cut, Arrays.copyOf(full, full.length / 3));
        assertFails("cut.h5ad", "-i", cut.toString());
        Path txt = Files.writeString(tmp.resolve("matrix.txt"), "1 2 3\n");
        assertFails("unknown input format", "-i", txt.toString());
    }

    @Test
    void geneColumnChoice() throws Exception {
        assertFails("no gene column 'symbol'", "-i", TestData.example().toString(), "--gene-column", "symbol");
        // symbols in the var index and no ensembl_id column: V2 maps symbols (with a note), V1 cannot
        Path out = tmp.resolve("sym.dataset");
        Cli r = Cli.run("tokenize", "-i", fx("symbols_only.h5ad"), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("using the gene index"), r.err());
        assertTrue(r.err().contains("5 of 5 genes"), r.err());
        assertFails("V1 = gc30M", "-i", fx("symbols_only.h5ad"), "--model-version", "V1");
    }

    @Test
    void missingAttributeColumnListsTheAvailableOnes() throws Exception {
        assertFails("no obs column 'celltype' for --attr (available: ", "-i", TestData.example().toString(), "--attr", "celltype");
    }

    @Test
    void emptyCellsAreWrittenAndCounted() throws Exception {
        Path out = tmp.resolve("empty.dataset");
        Cli r = Cli.run("tokenize", "-i", fx("bad_empty_cell.h5ad"), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("1 cell(s) have no expressed vocabulary gene"), r.err());
        Cli rows = Cli.run("dataset", "export", out.toString());
        assertTrue(rows.out().contains("{\"input_ids\":[2,3],\"cell_id\":\"c2\",\"length\":2}"), rows.out());
    }

    @Test
    void verboseAddsTheStackTrace() {
        Cli r = Cli.run("tokenize", "--verbose", "-i", fx("bad_nan.h5ad"), "-o", tmp.resolve("v.dataset").toString());
        assertEquals(1, r.exit());
        assertTrue(r.err().contains("\tat "), r.err());
    }
}
