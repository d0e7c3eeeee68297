package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Random;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import java.util.List;
import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** geneformer predict with packed batches: the padded run's rows, probabilities within 1e-5, for both heads. */
class PredictCliTest {
    @TempDir
    Path tmp;

    /** V1 cells of 1 to 64 random genes: the fixture classifiers are V1 models of 64 positions. */
    Path dataset() throws IOException {
        Random r = new Random(7);
        int n = 150;
        int[][] tokens = new int[n][];
        String[] ids = new String[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = new int[1 + r.nextInt(64)];
            for (int j = 0; j < tokens[i].length; j++) {
                tokens[i][j] = 2 + r.nextInt(25_000);
            }
            ids[i] = "c" + i;
            len[i] = tokens[i].length;
        }
        Path out = tmp.resolve("cells.dataset");
        try (HfDatasetWriter w = new HfDatasetWriter(out, List.of(new Column("input_ids", ColumnType.INT32_LIST),
                new Column("cell_id", ColumnType.STRING), new Column("length", ColumnType.INT64)), false,
                HfDatasetWriter.DEFAULT_SHARD_BYTES)) {
            w.write(new RowBatch(n, new Object[] {tokens, ids, len}));
            w.commit();
        }
        return out;
    }

    @Test
    void packedPredictionsAreThePaddedOnesForCellAndGeneClassifiers() throws IOException {
        Path ds = dataset();
        for (String kind : List.of("cell", "gene")) {
            String model = TestData.resource("fixtures/classifier/" + kind).toString();
            // a batch size that leaves a short last batch; cells of many lengths share batches
            String[] common = {"predict", "-m", model, "-i", ds.toString(), "--batch-size", "23"};
            Path padded = tmp.resolve(kind + "-padded.csv");
            Path packed = tmp.resolve(kind + "-packed.csv");
            Cli a = Cli.run(PerturbCliTest.concat(common, "-o", padded.toString()));
            assertEquals(0, a.exit(), a.err());
            Cli b = Cli.run(PerturbCliTest.concat(common, "-o", packed.toString(), "--packed", "--verbose"));
            assertEquals(0, b.exit(), b.err());
            assertTrue(b.err().contains("packed attention PER_CELL"), b.err());
            Map<String, List<String>> want = Csv.columns(padded);
            Map<String, List<String>> got = Csv.columns(packed);
            assertEquals(want.keySet(), got.keySet());
            double worst = 0;
            int rows = want.get("cell_id").size();
            for (String col : want.keySet()) {
                if (!col.startsWith("prob_")) {
                    assertEquals(want.get(col), got.get(col), kind + ": " + col);
                    continue;
                }
                for (int i = 0; i < rows; i++) {
                    worst = Math.max(worst, Math.abs(Double.parseDouble(want.get(col).get(i)) - Double.parseDouble(got.get(col).get(i))));
                }
            }
            assertTrue(kind.equals("cell") ? rows == 150 : rows > 150 * 20, kind + ": one row per cell or per gene: " + rows);
            assertTrue(worst <= 1e-5, kind + ": max |packed - padded| probability " + worst);
            System.out.println("predict --packed " + kind + ": " + rows + " rows, max |diff| " + worst);
        }
    }
}
