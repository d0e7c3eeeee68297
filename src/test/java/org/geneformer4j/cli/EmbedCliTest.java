package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geneformer embed} end to end: the tokenizer goldens' cells through small random models
 * (fixtures/model/tiny_v1, tiny_v2) must give the cell and CLS embeddings transformers gave, whatever the batching.
 */
class EmbedCliTest {
    /** Hidden size of the tiny fixture models. */
    static final int H = 16;

    @TempDir
    Path tmp;

    /** The golden cells as a tokenized dataset (cell_id, cell_type, input_ids, length). */
    Path goldenDataset(String version) throws IOException {
        List<String> ids = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<int[]> tokens = new ArrayList<>();
        ObjectMapper json = new ObjectMapper();
        for (String line : Files.readAllLines(TestData.resource("goldens/tokenizer/" + version + "_basic/expected.jsonl"))) {
            JsonNode n = json.readTree(line);
            ids.add(n.get("cell_id").asText());
            types.add(n.get("cell_type").asText());
            int[] t = new int[n.get("input_ids").size()];
            for (int i = 0; i < t.length; i++) {
                t[i] = n.get("input_ids").get(i).asInt();
            }
            tokens.add(t);
        }
        Path out = tmp.resolve(version + ".dataset");
        try (HfDatasetWriter w = new HfDatasetWriter(out, List.of(new Column("input_ids", ColumnType.INT32_LIST),
                new Column("cell_type", ColumnType.STRING), new Column("cell_id", ColumnType.STRING),
                new Column("length", ColumnType.INT64)), false, HfDatasetWriter.DEFAULT_SHARD_BYTES)) {
            long[] len = tokens.stream().mapToLong(t -> t.length).toArray();
            w.write(new RowBatch(ids.size(), new Object[] {tokens.toArray(new int[0][]), types.toArray(new String[0]),
                    ids.toArray(new String[0]), len}));
            w.commit();
        }
        return out;
    }

    /** Expected embeddings by cell length (the golden batch is sorted by length, and lengths are distinct). */
    static Map<Long, float[]> expected(String model, String key) {
        Map<String, HostTensor> exp = SafeTensors.read(TestData.resource("fixtures/model/" + model + ".expected.safetensors"));
        long[] lengths = exp.get("lengths").longs();
        float[] e = exp.get(key).floats();
        int h = e.length / lengths.length;
        Map<Long, float[]> out = new HashMap<>();
        for (int r = 0; r < lengths.length; r++) {
            out.put(lengths[r], java.util.Arrays.copyOfRange(e, r * h, (r + 1) * h));
        }
        return out;
    }

    @Test
    void cellAndClsEmbeddingsMatchTheGoldensInInputOrder() throws IOException {
        Path ds = goldenDataset("v2");
        Path model = TestData.resource("fixtures/model/tiny_v2");
        for (String[] c : new String[][] {{"cell", "-1", "cell_emb.layer-1"}, {"cell", "0", "cell_emb.layer0"},
                {"cls", "-1", "cls_emb.layer-1"}, {"cls", "0", "cls_emb.layer0"}}) {
            Path out = tmp.resolve(c[0] + c[1] + ".csv");
            // batch size 1 and 3 and a token cap: the batching must not change the numbers
            Cli r = Cli.run("embed", "-m", model.toString(), "-i", ds.toString(), "-o", out.toString(), "--emb-mode", c[0],
                    "--emb-layer", c[1], "--emb-label", "cell_type", "--batch-size", c[1].equals("0") ? "1" : "3",
                    "--max-tokens", "5000");
            assertEquals(0, r.exit(), r.err());
            List<String> lines = Files.readAllLines(out);
            assertEquals("cell_id,0,1,2", lines.get(0).substring(0, 13));
            assertTrue(lines.get(0).endsWith(",15,cell_type"), lines.get(0));
            assertEquals(4, lines.size() - 1);
            assertTrue(lines.get(1).startsWith("v2_basic_cell0,") && lines.get(4).startsWith("v2_basic_cell4,"), "input order");
            compareRows(lines, expected("tiny_v2", c[2]), ds);
        }
    }

    @Test
    void packedBatchesGiveTheGoldenEmbeddingsAndTheSameGeneEmbeddings() throws IOException {
        Path ds = goldenDataset("v2");
        Path model = TestData.resource("fixtures/model/tiny_v2");
        for (String[] c : new String[][] {{"cell", "-1", "cell_emb.layer-1"}, {"cls", "0", "cls_emb.layer0"}}) {
            Path out = tmp.resolve("packed." + c[0] + ".csv");
            // a token cap under the longest cell's 4,096 + another: the 4,096-token cell is a batch of its own
            Cli r = Cli.run("embed", "-m", model.toString(), "-i", ds.toString(), "-o", out.toString(), "--emb-mode", c[0],
                    "--emb-layer", c[1], "--packed", "--max-tokens", "4200", "--verbose");
            assertEquals(0, r.exit(), r.err());
            assertTrue(r.err().contains("packed attention PER_CELL"), r.err());
            compareRows(Files.readAllLines(out), expected("tiny_v2", c[2]), ds);
        }
        Path padded = tmp.resolve("genes.padded.csv");
        Path packed = tmp.resolve("genes.packed.csv");
        assertEquals(0, Cli.run("embed", "-m", model.toString(), "-i", ds.toString(), "-o", padded.toString(), "--emb-mode", "gene").exit());
        assertEquals(0, Cli.run("embed", "-m", model.toString(), "-i", ds.toString(), "-o", packed.toString(), "--emb-mode", "gene",
                "--packed").exit());
        List<String> a = Files.readAllLines(padded);
        List<String> b = Files.readAllLines(packed);
        assertEquals(a.size(), b.size());
        for (int i = 1; i < a.size(); i++) {
            String[] x = a.get(i).split(","), y = b.get(i).split(",");
            assertEquals(x[0], y[0]);
            for (int d = 1; d <= H; d++) {
                assertEquals(Float.parseFloat(x[d]), Float.parseFloat(y[d]), 1e-5, x[0] + " dim " + d);
            }
        }
    }

    @Test
    void v1CellEmbeddingsAsNpy() throws IOException {
        Path ds = goldenDataset("v1");
        Path out = tmp.resolve("v1.npy");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v1").toString(), "-i", ds.toString(),
                "-o", out.toString(), "--sort-by-length");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("cell embeddings"), "V1 defaults to cell mode: " + r.err());
        byte[] npy = Files.readAllBytes(out);
        String header = new String(npy, 10, 118, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'shape': (3, 16)"), header);
        FloatBufferView f = new FloatBufferView(npy, 128);
        Map<Long, float[]> exp = expected("tiny_v1", "cell_emb.layer-1");
        long[] sortedLengths = {2048, 120, 9};
        for (int row = 0; row < 3; row++) {
            float[] e = exp.get(sortedLengths[row]);
            for (int d = 0; d < H; d++) {
                assertEquals(e[d], f.get(row * H + d), 1e-5);
            }
        }
        List<String> cells = Files.readAllLines(tmp.resolve("v1.cells.tsv"));
        assertEquals("cell_id", cells.get(0));
        assertEquals(4, cells.size());
    }

    @Test
    void h5adOutputCarriesObsAndTheEmbeddingInObsm() throws IOException {
        Path ds = goldenDataset("v2");
        Path out = tmp.resolve("cells.h5ad");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "-o", out.toString(), "--emb-label", "cell_type");
        assertEquals(0, r.exit(), r.err());
        Map<Long, float[]> exp = expected("tiny_v2", "cls_emb.layer-1");
        long[] inputOrderLengths = {123, 303, 4096, 10};
        try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(out)) {
            float[][] x = (float[][]) f.getDatasetByPath("obsm/X_geneformer").getData();
            String[] ids = (String[]) f.getDatasetByPath("obs/cell_id").getData();
            String[] types = (String[]) f.getDatasetByPath("obs/cell_type").getData();
            assertEquals("dataframe", f.getByPath("obs").getAttribute("encoding-type").getData());
            assertEquals("cell_id", f.getByPath("obs").getAttribute("_index").getData());
            assertEquals(4, x.length);
            assertEquals("v2_basic_cell0", ids[0]);
            assertEquals("A", types[0]);
            for (int row = 0; row < 4; row++) {
                for (int d = 0; d < H; d++) {
                    assertEquals(exp.get(inputOrderLengths[row])[d], x[row][d], 1e-5);
                }
            }
        }
    }

    @Test
    void h5adOutputWithoutLabelColumnsIsWrittenAndReadsBack() throws IOException {
        Path ds = goldenDataset("v2");
        Path out = tmp.resolve("cells.h5ad");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(), "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertEquals(0, r.errorLines(), r.err());
        try (io.jhdf.HdfFile f = new io.jhdf.HdfFile(out)) {
            assertEquals("dataframe", f.getByPath("obs").getAttribute("encoding-type").getData());
            // no columns: "" (jhdf writes no empty arrays), which anndata reads as list("") == [] (scripts/dev/check_h5ad.py)
            assertEquals("", f.getByPath("obs").getAttribute("column-order").getData());
            assertEquals(4, ((float[][]) f.getDatasetByPath("obsm/X_geneformer").getData()).length);
        }
        org.geneformer4j.embed.EmbeddingTable t = org.geneformer4j.embed.EmbeddingTable.read(out);
        assertEquals(4, t.ids().length);
        assertEquals(H, t.matrix()[0].length);
        assertTrue(t.labels().isEmpty());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".cells.h5ad")).toList(), "no staging or lock left");
        }
    }

    @Test
    void geneModeAveragesEachGeneOverCellsAndKeepsSpecialTokens() throws IOException {
        Path ds = goldenDataset("v2");
        Path out = tmp.resolve("genes.csv");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "-o", out.toString(), "--emb-mode", "gene");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.get(0).startsWith("ensembl_id,0,") && lines.get(0).endsWith(",symbol,n_cells"));
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("<cls>,") && l.endsWith(",4")), "upstream keeps <cls> rows");
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("ENSG")));
    }

    @Test
    void filterAndSummaryAndAttentions() throws IOException {
        Path ds = goldenDataset("v2");
        Path out = tmp.resolve("sum.csv");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "-o", out.toString(), "--summary-stat", "exact_mean", "--emb-label", "cell_type", "--output-attentions", "1");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertTrue(lines.size() >= 2 && lines.get(0).startsWith("cell_type,0,"), lines.get(0));
        Map<String, HostTensor> att = SafeTensors.read(tmp.resolve("sum.attentions.safetensors"));
        assertEquals(2, att.size());
        HostTensor a0 = att.values().iterator().next();
        assertEquals(4, a0.shape()[0]); // heads
        float[] p = a0.floats();
        double rowSum = 0;
        for (int j = 0; j < a0.shape()[2]; j++) {
            rowSum += p[j];
        }
        assertEquals(1.0, rowSum, 1e-4, "attention rows are probabilities");

        Cli none = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "-o", tmp.resolve("none.csv").toString(), "--filter", "cell_type=nope");
        assertEquals(1, none.exit());
        assertEquals(1, none.errorLines(), none.err());
        assertFalse(Files.exists(tmp.resolve("none.csv")));
    }

    @Test
    void rawCountsAreTokenizedOnTheFlyForTheModel() throws IOException {
        Path h5ad = TestData.projectDir().resolve("examples/pbmc68k_reduced_counts.h5ad");
        Path ds = tmp.resolve("ex.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", h5ad.toString(), "-o", ds.toString(), "--attr", "bulk_labels").exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Cli a = Cli.run("embed", "-m", model, "-i", ds.toString(), "-o", tmp.resolve("a.csv").toString(), "--emb-label", "bulk_labels",
                "--max-ncells", "50");
        Cli b = Cli.run("embed", "-m", model, "-i", h5ad.toString(), "-o", tmp.resolve("b.csv").toString(), "--emb-label", "bulk_labels",
                "--max-ncells", "50");
        assertEquals(0, a.exit(), a.err());
        assertEquals(0, b.exit(), b.err());
        List<String> la = Files.readAllLines(tmp.resolve("a.csv"));
        assertEquals(51, la.size());
        assertEquals(la, Files.readAllLines(tmp.resolve("b.csv")));
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.getFileName().toString().startsWith(".")).toList(), "scratch tokens removed");
        }
    }

    @Test
    void inputBuffersArePooledSoThreeTimesTheCellsAllocateNoMore() throws IOException {
        String h5ad = TestData.projectDir().resolve("examples/pbmc68k_reduced_counts.h5ad").toString();
        Path one = tmp.resolve("one.dataset"), three = tmp.resolve("three.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", h5ad, "-o", one.toString()).exit());
        assertEquals(0, Cli.run("tokenize", "-i", h5ad + "," + h5ad + "," + h5ad, "--prefix-cell-ids", // one file thrice
                "-o", three.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        long[] allocated = new long[2];
        int k = 0;
        for (Path ds : List.of(one, three)) {
            Cli r = Cli.run("--verbose", "embed", "-m", model, "-i", ds.toString(), "-o", tmp.resolve(k + ".csv").toString(),
                    "--batch-size", "16", "--max-ncells", "0");
            assertEquals(0, r.exit(), r.err());
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("embed: (\\d+) pooled input buffers allocated").matcher(r.err());
            assertTrue(m.find(), r.err());
            allocated[k++] = Long.parseLong(m.group(1));
        }
        // 44 batches or 132: a handful of buffers (two per power-of-two size class) serve them all
        assertTrue(allocated[0] > 0 && allocated[0] <= 8, "allocations for 44 batches: " + allocated[0]);
        assertTrue(allocated[1] <= 8, "allocations for 132 batches: " + allocated[1]);
    }

    @Test
    void severalDeviceWorkersGiveTheSameRows() throws IOException {
        Path ds = tmp.resolve("ex.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.projectDir().resolve("examples/pbmc68k_reduced_counts.h5ad").toString(),
                "-o", ds.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Cli one = Cli.run("embed", "-m", model, "-i", ds.toString(), "-o", tmp.resolve("one.csv").toString(), "--batch-size", "7",
                "--max-ncells", "0");
        // no GPUs here: two CPU workers exercise the same sharding of batches
        Cli two = Cli.run("embed", "-m", model, "-i", ds.toString(), "-o", tmp.resolve("two.csv").toString(), "--batch-size", "7",
                "--max-ncells", "0", "--devices", "cpu,cpu");
        assertEquals(0, one.exit(), one.err());
        assertEquals(0, two.exit(), two.err());
        List<String> a = Files.readAllLines(tmp.resolve("one.csv"));
        assertEquals(701, a.size());
        assertEquals(a, Files.readAllLines(tmp.resolve("two.csv")));
    }

    @Test
    void cellStatesAreTheExactMeanOfEachStatesCells() throws IOException {
        Path ds = goldenDataset("v2");
        Path out = tmp.resolve("states.csv");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "-o", out.toString(), "--emb-mode", "cell", "--cell-states", "state_key=cell_type,start_state=B,goal_state=A");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals(3, lines.size(), lines.toString());
        // B = cells of length 303 and 4096; A = the 123-token cell
        Map<Long, float[]> exp = expected("tiny_v2", "cell_emb.layer-1");
        String[] b = lines.stream().filter(l -> l.startsWith("B,")).findFirst().orElseThrow().split(",");
        String[] a = lines.stream().filter(l -> l.startsWith("A,")).findFirst().orElseThrow().split(",");
        for (int d = 0; d < H; d++) {
            assertEquals((exp.get(303L)[d] + exp.get(4096L)[d]) / 2, Float.parseFloat(b[d + 1]), 1e-5);
            assertEquals(exp.get(123L)[d], Float.parseFloat(a[d + 1]), 1e-5);
        }
        assertEquals("2", b[H + 1]);
    }

    @Test
    void dataTokenizedForTheOtherModelVersionIsRefused() throws IOException {
        Path v1 = goldenDataset("v1");
        Path v2 = goldenDataset("v2");
        Cli a = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", v1.toString(),
                "-o", tmp.resolve("a.csv").toString());
        assertEquals(1, a.exit());
        assertTrue(a.err().contains("V1 data into a V2 model") || a.err().contains("V1 settings"), a.err());
        Cli b = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v1").toString(), "-i", v2.toString(),
                "-o", tmp.resolve("b.csv").toString());
        assertEquals(1, b.exit());
        assertTrue(b.err().contains("V1 model"), b.err());
        assertEquals(1, b.errorLines());
        Cli c = Cli.run("embed", "-m", "gf-12L-95M-i496", "-i", v2.toString(), "-o", tmp.resolve("c.csv").toString());
        assertTrue(c.exit() == 1 && c.err().contains("did you mean 'gf-12L-95M-i4096'"), c.err());
        Cli mode = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", v2.toString(),
                "-o", tmp.resolve("m.csv").toString(), "--emb-mode", "foo");
        assertTrue(mode.exit() == 1 && mode.err().contains("unknown --emb-mode 'foo' (cls, cell, gene)"), mode.err());
        Cli d = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", v2.toString(),
                "-o", tmp.resolve("d.csv").toString(), "--device", "cuda");
        assertTrue(d.exit() == 1 && d.err().contains("no CUDA device"), d.err());
        try (Stream<Path> left = Files.list(tmp)) {
            assertEquals(List.of(), left.filter(p -> p.toString().endsWith(".csv")).toList(), "nothing half-written");
        }
    }

    private static void compareRows(List<String> lines, Map<Long, float[]> exp, Path ds) throws IOException {
        Map<String, Long> lengthOf = new HashMap<>();
        try (var r = org.geneformer4j.dataset.Datasets.open(ds)) {
            RowBatch b = r.next();
            for (int i = 0; i < b.rows(); i++) {
                lengthOf.put(((String[]) b.columns()[2])[i], ((long[]) b.columns()[3])[i]);
            }
        }
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            float[] e = exp.get(lengthOf.get(f[0]));
            for (int d = 0; d < e.length; d++) {
                assertEquals(e[d], Float.parseFloat(f[d + 1]), 1e-5, f[0] + " dim " + d);
            }
        }
    }

    record FloatBufferView(byte[] b, int offset) {
        float get(int i) {
            return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getFloat(offset + 4 * i);
        }
    }
}
