package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetCliTest {
    @TempDir
    Path tmp;

    @Test
    void infoOnPythonWrittenDataset() {
        Cli r = Cli.run("dataset", "info", TestData.resource("fixtures/python_written.dataset").toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().contains("rows: 3"));
        assertTrue(r.out().contains("input_ids: int64_list"));
        assertTrue(r.out().contains("length: min 0, median 3, mean 2.3, max 4"), r.out());
    }

    @Test
    void exportJsonlHasEveryColumnOfEveryRow() throws Exception {
        Path out = tmp.resolve("rows.jsonl");
        Cli r = Cli.run("dataset", "export", TestData.resource("fixtures/python_written.dataset").toString(),
                "--format", "jsonl", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<JsonNode> rows = TestData.jsonl(out);
        assertEquals(3, rows.size());
        JsonNode first = rows.get(0);
        assertEquals(List.of("input_ids", "cell_type", "n_genes", "score", "ok", "length"),
                iterToList(first.fieldNames()));
        assertEquals("[5,9,7]", first.get("input_ids").toString());
        assertTrue(rows.get(1).get("cell_type").isNull());
        assertEquals(1, Cli.run("dataset", "export", TestData.resource("fixtures/python_written.dataset").toString(),
                "-o", out.toString()).exit(), "refuses to overwrite");
    }

    @Test
    void exportCsvQuotesAndSpaceSeparatesLists() {
        Cli r = Cli.run("dataset", "export", TestData.resource("fixtures/python_written.dataset").toString(), "--format", "csv");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().toList();
        assertEquals("input_ids,cell_type,n_genes,score,ok,length", lines.get(0));
        assertEquals("5 9 7,T cell,3,0.5,true,3", lines.get(1));
        assertEquals("20274 4 4 2,\"B, memory \"\"x\"\"\",4,-1.25,true,4", lines.get(3));
    }

    @Test
    void headReadsParquetAndSeveralDatasets() {
        Cli r = Cli.run("dataset", "head", "-n", "2", TestData.resource("fixtures/genecorpus_500_samples.parquet").toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(2, r.out().lines().count());
        Cli two = Cli.run("dataset", "info", TestData.resource("fixtures/genecorpus_500_samples.parquet").toString(),
                TestData.resource("fixtures/genecorpus_500_samples.parquet").toString());
        assertTrue(two.out().contains("rows: 1000"), two.out());
    }

    @Test
    void badFormatAndMissingDataset() throws Exception {
        assertEquals(2, Cli.run("dataset", "export", TestData.resource("fixtures/python_written.dataset").toString(), "--format", "xml").exit());
        Cli r = Cli.run("dataset", "info", tmp.resolve("nope.dataset").toString());
        assertEquals(1, r.exit());
        assertEquals(1, r.errorLines());
        assertFalse(Files.exists(tmp.resolve("nope.dataset")));
    }

    private static List<String> iterToList(java.util.Iterator<String> it) {
        List<String> l = new java.util.ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }
}
