package org.geneformer4j.dataset;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random access by row gives, for every row, the tokens and length that the sequential reader gives: for Arrow
 * streams from Python {@code datasets} and from this program (several shards, int32 and int64 ids, empty cells),
 * an Arrow IPC file, the Genecorpus parquet sample, and all of them concatenated; rows read backwards, so that no
 * read relies on the previous one.
 */
class TokenRowsTest {
    @TempDir
    Path tmp;

    /** Every row's tokens, in order, as {@link DatasetReader} reads them. */
    private static List<int[]> sequential(Path p) {
        List<int[]> out = new ArrayList<>();
        try (DatasetReader r = Datasets.open(p)) {
            TokenColumns c = TokenColumns.of(r, List.of());
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    out.add(c.tokens(b, i));
                }
            }
        }
        return out;
    }

    private static void assertSame(List<int[]> expected, TokenRows rows) {
        assertEquals(expected.size(), rows.size());
        for (int row = rows.size() - 1; row >= 0; row--) {
            assertEquals(expected.get(row).length, rows.length(row), "length of row " + row);
            assertArrayEquals(expected.get(row), rows.tokens(row), "tokens of row " + row);
        }
    }

    private Path ownDataset() throws Exception {
        Path out = tmp.resolve("own.dataset");
        List<Column> cols = List.of(new Column("cell_id", ColumnType.STRING), new Column("input_ids", ColumnType.INT32_LIST));
        try (HfDatasetWriter w = new HfDatasetWriter(out, cols, false, 64)) { // a tiny shard limit: several shards
            for (int b = 0; b < 4; b++) {
                w.write(new RowBatch(3, new Object[] {new String[] {"a", "b", "c"}, new int[][] {{7, b, 9}, {}, {25_000 + b}}}));
            }
            w.commit();
        }
        return out;
    }

    private Path arrowFile() {
        Path out = tmp.resolve("cells.arrow");
        ArrowFile.write(out, List.of(new Column("length", ColumnType.INT64), new Column("input_ids", ColumnType.INT64_LIST)),
                new RowBatch(3, new Object[] {new long[] {2, 0, 3}, new long[][] {{4, 5}, {}, {1, 2, 3}}}), false);
        return out;
    }

    @Test
    void everyFormatReadsByRowWhatTheSequentialReaderReads() throws Exception {
        List<Path> all = List.of(TestData.resource("fixtures/python_written.dataset"), ownDataset(), arrowFile(),
                TestData.resource("fixtures/genecorpus_500_samples.parquet"));
        List<int[]> everything = new ArrayList<>();
        for (Path p : all) {
            List<int[]> expected = sequential(p);
            assertTrue(expected.size() >= 3, p.toString());
            try (TokenRows rows = Datasets.tokenRows(List.of(p))) {
                assertSame(expected, rows);
            }
            everything.addAll(expected);
        }
        try (TokenRows rows = Datasets.tokenRows(all)) {
            assertSame(everything, rows);
            assertTrue(rows.where(everything.size() - 1).contains("genecorpus_500_samples.parquet row 499"), rows.where(everything.size() - 1));
        }
    }

    @Test
    void countsAndFormatsAreChecked() throws Exception {
        assertThrows(UserException.class, () -> Datasets.tokenRows(List.of(tmp.resolve("missing.dataset"))));
        assertThrows(UserException.class, () -> Datasets.tokenRows(List.of(TestData.example())), "counts, not tokens");
        Path noIds = tmp.resolve("no_ids.arrow");
        ArrowFile.write(noIds, List.of(new Column("length", ColumnType.INT64)), new RowBatch(1, new Object[] {new long[] {3}}), false);
        UserException e = assertThrows(UserException.class, () -> Datasets.tokenRows(List.of(noIds)));
        assertTrue(e.getMessage().contains("no input_ids column"), e.getMessage());
    }
}
