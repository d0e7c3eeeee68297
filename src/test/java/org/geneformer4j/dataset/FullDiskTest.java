package org.geneformer4j.dataset;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A disk that fills up while a dataset is written: the user sees the full disk, not what the cleanup tripped on. */
class FullDiskTest {
    @TempDir
    Path tmp;

    /** A shard stream that accepts {@code room} bytes and then fails as Linux does on a full file system. */
    private static HfDatasetWriter.Opener diskWithRoom(long room) {
        return shard -> new FilterOutputStream(Files.newOutputStream(shard)) {
            long written;
            boolean full; // stays full: the end-of-stream marker after the failed batch fails too

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                if (full || written + len > room) {
                    full = true;
                    throw new IOException("No space left on device");
                }
                written += len;
                out.write(b, off, len);
            }

            @Override
            public void write(int b) throws IOException {
                write(new byte[] {(byte) b}, 0, 1);
            }
        };
    }

    private static RowBatch batch(int rows) {
        int[][] ids = new int[rows][];
        String[] names = new String[rows];
        for (int i = 0; i < rows; i++) {
            ids[i] = new int[] {i, i + 1, i + 2};
            names[i] = "cell" + i;
        }
        return new RowBatch(rows, new Object[] {ids, names});
    }

    private static final List<Column> COLUMNS = List.of(new Column("input_ids", ColumnType.INT32_LIST),
            new Column("cell_id", ColumnType.STRING));

    @Test
    void aFullDiskIsReportedAsSuchNotAsTheAllocatorsLeak() throws IOException {
        Path target = tmp.resolve("out.dataset");
        for (long room : new long[] {5_000, 300, 0}) {
            HfDatasetWriter w = new HfDatasetWriter(target, COLUMNS, false, HfDatasetWriter.DEFAULT_SHARD_BYTES, diskWithRoom(room));
            // as Tokenizer uses it: close in a finally, after the failed write
            UserException e = assertThrows(UserException.class, () -> {
                try {
                    for (int k = 0; k < 20; k++) w.write(batch(50));
                    w.commit();
                } finally {
                    w.close();
                }
            }, "room for " + room + " bytes");
            assertEquals("no space left on device (" + target.toAbsolutePath() + ")", e.getMessage());
            assertFalse(Files.exists(target));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "nothing left behind");
            }
        }
    }
}
