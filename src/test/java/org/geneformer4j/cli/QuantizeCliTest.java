package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.quant.Fidelity;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --quantize int8} through embed, predict and perturb: the same cells, near the same results, recorded. */
class QuantizeCliTest {
    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path ds;
    static Path model;

    @BeforeAll
    static void prepare() {
        ds = shared.resolve("pbmc.dataset");
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString(), "--attr", "bulk_labels=cell_type");
        assertEquals(0, r.exit(), r.err());
        // V2-shaped (its vocabulary and 4,096 positions), small enough to run in a second
        model = shared.resolve("model");
        try {
            Files.createDirectories(model);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        RandomInit.save(RandomInit.config(20275, 64, 2, 4, 256, 4096), 11, model);
    }

    static float[][] rows(Path csv, int h) {
        Map<String, List<String>> c = Csv.columns(csv);
        int n = c.get("0").size();
        float[][] out = new float[n][h];
        for (int d = 0; d < h; d++) {
            List<String> col = c.get(Integer.toString(d));
            for (int i = 0; i < n; i++) {
                out[i][d] = Float.parseFloat(col.get(i));
            }
        }
        return out;
    }

    @Test
    void int8EmbeddingsOfTheSameCellsWithinCosine0999() {
        String[] common = {"embed", "-m", model.toString(), "-i", ds.toString(), "--max-ncells", "60", "--threads", "2"};
        Cli full = Cli.run(concat(common, "-o", tmp.resolve("fp32.csv").toString()));
        Cli int8 = Cli.run(concat(common, "-o", tmp.resolve("int8.csv").toString(), "--quantize", "int8"));
        assertEquals(0, full.exit(), full.err());
        assertEquals(0, int8.exit(), int8.err());
        assertTrue(int8.err().contains("int8 weights"), "the log says the weights were int8: " + int8.err());
        assertEquals(Csv.columns(tmp.resolve("fp32.csv")).get(""), Csv.columns(tmp.resolve("int8.csv")).get(""), "same cells, same order");
        float[][] a = rows(tmp.resolve("fp32.csv"), 64);
        float[][] b = rows(tmp.resolve("int8.csv"), 64);
        double min = 1;
        boolean differs = false;
        for (int i = 0; i < a.length; i++) {
            min = Math.min(min, Fidelity.cosine(a[i], b[i]));
            differs |= !java.util.Arrays.equals(a[i], b[i]);
        }
        assertTrue(min >= 0.999, "min per-cell cosine " + min);
        assertTrue(differs, "int8 gave fp32's embeddings: the option was not applied");
    }

    @Test
    void int8PredictionsAgreeWithFp32() {
        String cls = TestData.resource("fixtures/classifier/cell").toString();
        Path shortCells = tmp.resolve("short.dataset"); // the fixture classifier: V1, 64 positions
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", shortCells.toString(), "--input-size", "60", "--model-version", "V1").exit());
        Cli full = Cli.run("predict", "-m", cls, "-i", shortCells.toString(), "-o", tmp.resolve("fp32.csv").toString());
        Cli int8 = Cli.run("predict", "-m", cls, "-i", shortCells.toString(), "-o", tmp.resolve("int8.csv").toString(), "--quantize", "int8");
        assertEquals(0, full.exit(), full.err());
        assertEquals(0, int8.exit(), int8.err());
        List<String> a = Csv.columns(tmp.resolve("fp32.csv")).get("predicted");
        List<String> b = Csv.columns(tmp.resolve("int8.csv")).get("predicted");
        int same = 0;
        for (int i = 0; i < a.size(); i++) {
            same += a.get(i).equals(b.get(i)) ? 1 : 0;
        }
        assertTrue(same >= 0.98 * a.size(), same + " of " + a.size() + " predictions agree");
        assertNotEquals(Csv.columns(tmp.resolve("fp32.csv")).get(Csv.columns(tmp.resolve("fp32.csv")).keySet().stream()
                .filter(k -> k.startsWith("prob_")).findFirst().orElseThrow()),
                Csv.columns(tmp.resolve("int8.csv")).get(Csv.columns(tmp.resolve("int8.csv")).keySet().stream()
                        .filter(k -> k.startsWith("prob_")).findFirst().orElseThrow()), "probabilities of the int8 model differ");
    }

    @Test
    void perturbRecordsInt8AndAResumeInFullPrecisionIsRefused() throws Exception {
        Path out = tmp.resolve("isp");
        String[] common = {"perturb", "-m", model.toString(), "-i", ds.toString(), "-o", out.toString(), "--max-ncells", "2", "--format", "csv"};
        Cli r = Cli.run(concat(common, "--quantize", "int8"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.readString(out.resolve("run.json")).contains("\"quantize\" : \"int8\""), Files.readString(out.resolve("run.json")));
        Cli again = Cli.run(common);
        assertEquals(1, again.errorLines(), again.err());
        assertTrue(again.err().contains("other settings"), again.err());
    }

    @Test
    void finetuningRefusesInt8() {
        Cli r = Cli.run("finetune", "cell", "-m", model.toString(), "-i", ds.toString(), "--label", "cell_type", "-o",
                tmp.resolve("ft").toString(), "--quantize", "int8");
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains("--quantize int8"), r.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
