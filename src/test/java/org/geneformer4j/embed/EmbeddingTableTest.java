package org.geneformer4j.embed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What each sink writes reads back as the same ids, values and labels. */
class EmbeddingTableTest {
    @TempDir
    Path tmp;

    @Test
    void everyFormatRoundTrips() throws Exception {
        String[] ids = {"a", "b,c", "d"};
        float[][] rows = {{1.5f, -2e-7f}, {0f, 3.25f}, {Float.MIN_VALUE, 1e30f}};
        String[][] labels = {{"T cell", "x"}, {"B, naive", ""}, {"NK", "z\"q"}};
        for (String fmt : List.of("csv", "npy", "h5ad")) {
            Path p = tmp.resolve("e." + fmt);
            try (EmbeddingSink s = Sinks.open(p, fmt, false)) {
                s.begin(2, "cell_id", List.of("cell_type", "note"));
                for (int i = 0; i < 3; i++) {
                    s.row(ids[i], rows[i], labels[i]);
                }
                s.commit();
            }
            EmbeddingTable t = EmbeddingTable.read(p);
            assertEquals("cell_id", t.idColumn(), fmt);
            assertArrayEquals(ids, t.ids(), fmt);
            for (int i = 0; i < 3; i++) {
                assertArrayEquals(rows[i], t.matrix()[i], fmt);
                assertEquals(labels[i][0], t.label("cell_type")[i], fmt);
                assertEquals(labels[i][1], t.label("note")[i], fmt);
            }
        }
    }
}
