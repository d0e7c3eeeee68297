package org.geneformer4j.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetRoundTripTest {
    @TempDir
    Path tmp;

    private static List<RowBatch> readAll(DatasetReader r) {
        List<RowBatch> out = new ArrayList<>();
        while (r.hasNext()) out.add(r.next());
        return out;
    }

    @Test
    void readsWhatPythonDatasetsWrote() {
        try (DatasetReader r = Datasets.open(TestData.resource("fixtures/python_written.dataset"))) {
            assertEquals(List.of(new Column("input_ids", ColumnType.INT64_LIST), new Column("cell_type", ColumnType.STRING),
                    new Column("n_genes", ColumnType.INT32), new Column("score", ColumnType.FLOAT64),
                    new Column("ok", ColumnType.BOOL), new Column("length", ColumnType.INT64)), r.columns());
            List<RowBatch> batches = readAll(r);
            assertEquals(2, batches.size(), "two shards");
            int[][] ids = new int[3][];
            String[] types = new String[3];
            double[] score = new double[3];
            boolean[] ok = new boolean[3];
            int row = 0;
            for (RowBatch b : batches) {
                for (int i = 0; i < b.rows(); i++, row++) {
                    ids[row] = ((int[][]) b.columns()[0])[i];
                    types[row] = ((String[]) b.columns()[1])[i];
                    score[row] = ((double[]) b.columns()[3])[i];
                    ok[row] = ((boolean[]) b.columns()[4])[i];
                }
            }
            assertArrayEquals(new int[] {5, 9, 7}, ids[0]);
            assertArrayEquals(new int[] {}, ids[1]);
            assertArrayEquals(new int[] {20274, 4, 4, 2}, ids[2]);
            assertEquals("T cell", types[0]);
            assertNull(types[1]);
            assertEquals("B, memory \"x\"", types[2]);
            assertTrue(Double.isNaN(score[1]));
            assertEquals(-1.25, score[2]);
            assertArrayEquals(new boolean[] {true, false, true}, ok);
        }
    }

    @Test
    void writesWhatItReadsBackAndTheHuggingFaceFiles() throws Exception {
        List<Column> cols = List.of(new Column("input_ids", ColumnType.INT32_LIST), new Column("cell_type", ColumnType.STRING),
                new Column("n_counts", ColumnType.FLOAT32), new Column("length", ColumnType.INT64));
        Path out = tmp.resolve("x.dataset");
        // a tiny shard limit forces several shards
        try (HfDatasetWriter w = new HfDatasetWriter(out, cols, false, 64)) {
            for (int b = 0; b < 3; b++) {
                w.write(new RowBatch(2, new Object[] {new int[][] {{2, b, 3}, {2, 3}}, new String[] {"a" + b, null},
                        new float[] {1.5f, Float.NaN}, new long[] {3, 2}}));
            }
            w.commit();
        }
        assertFalse(Files.exists(tmp.resolve(".x.dataset.partial")));
        JsonNode state = new ObjectMapper().readTree(out.resolve("state.json").toFile());
        assertEquals(3, state.get("_data_files").size());
        assertEquals("data-00000-of-00003.arrow", state.get("_data_files").get(0).get("filename").asText());
        JsonNode info = new ObjectMapper().readTree(out.resolve("dataset_info.json").toFile());
        assertEquals("Sequence", info.at("/features/input_ids/_type").asText());
        assertEquals("int32", info.at("/features/input_ids/feature/dtype").asText());
        assertEquals("float32", info.at("/features/n_counts/dtype").asText());
        try (DatasetReader r = Datasets.open(out)) {
            assertEquals(cols, r.columns());
            List<RowBatch> batches = readAll(r);
            assertEquals(3, batches.size());
            RowBatch last = batches.get(2);
            assertArrayEquals(new int[] {2, 2, 3}, ((int[][]) last.columns()[0])[0]);
            assertEquals("a2", ((String[]) last.columns()[1])[0]);
            assertNull(((String[]) last.columns()[1])[1]);
            assertTrue(Float.isNaN(((float[]) last.columns()[2])[1]));
        }
    }

    @Test
    void anUncommittedWriterLeavesNothing() throws Exception {
        Path out = tmp.resolve("y.dataset");
        try (HfDatasetWriter w = new HfDatasetWriter(out, List.of(new Column("length", ColumnType.INT64)), false, 1 << 20)) {
            w.write(new RowBatch(1, new Object[] {new long[] {7}}));
        }
        assertFalse(Files.exists(out));
        try (var s = Files.list(tmp)) {
            assertEquals(0, s.count(), "no partial directory left behind");
        }
    }

    @Test
    void readsTheGenecorpusParquetSample() throws Exception {
        List<String> expected = Files.readAllLines(TestData.resource("fixtures/genecorpus_500_expected.tsv"));
        try (DatasetReader r = Datasets.open(TestData.resource("fixtures/genecorpus_500_samples.parquet"))) {
            assertEquals(List.of(new Column("input_ids", ColumnType.INT64_LIST), new Column("length", ColumnType.INT64)), r.columns());
            int row = 0;
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++, row++) {
                    String[] e = expected.get(row).split("\t");
                    int[] ids = ((int[][]) b.columns()[0])[i];
                    assertEquals(Long.parseLong(e[0]), ((long[]) b.columns()[1])[i], "length of row " + row);
                    assertEquals(Integer.parseInt(e[1]), ids.length);
                    assertEquals(e[2], TestData.digest(ids), "input_ids of row " + row);
                }
            }
            assertEquals(500, row);
        }
    }

    @Test
    void corruptOrForeignFilesAreUserErrors() throws Exception {
        Path junk = tmp.resolve("junk.arrow");
        Files.writeString(junk, "this is not arrow");
        assertThrows(UserException.class, () -> Datasets.open(junk).close());
        Path pq = tmp.resolve("cut.parquet");
        byte[] full = Files.readAllBytes(TestData.resource("fixtures/genecorpus_500_samples.parquet"));
        Files.write(pq, java.util.Arrays.copyOf(full, full.length / 2));
        assertThrows(UserException.class, () -> Datasets.open(pq).close());
        assertThrows(UserException.class, () -> Datasets.open(tmp.resolve("missing.dataset")));
    }
}
