package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code finetune cell --quantize nf4}: LoRA adapters over the NF4 tiny V2 model train, the run keeps a peft adapter
 * (not a model), predict loads base + adapter and reproduces the run's test predictions, and a run stopped and
 * resumed ends with the same adapter. (Whether adapters learn a task is LoraTrainingTest's: the tiny model's random,
 * frozen embeddings carry too little of the cell types for any adapter to find.)
 */
class LoraCliTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path ds;
    static String model;

    @BeforeAll
    static void tokenize() {
        ds = shared.resolve("pbmc.dataset");
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString(), "--attr", "bulk_labels=cell_type");
        assertEquals(0, r.exit(), r.err());
        model = TestData.resource("fixtures/model/tiny_v2").toString();
    }

    static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "cell", "-m", model, "-i", ds.toString(), "--label", "cell_type",
                "--filter", FinetuneCliTest.THREE, "--learning-rate", "5e-3", "--threads", "2", "-o", out.toString(),
                "--quantize", "nf4", "--lora-r", "4", "--lora-alpha", "8"));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void nf4LoraTrainsKeepsAPeftAdapterAndPredictReproducesItsPredictions() throws Exception {
        Path out = tmp.resolve("run");
        Cli r = Cli.run(args(out, "--epochs", "1", "--batch-size", "8", "--max-ncells", "120"));
        assertEquals(0, r.exit(), r.err());
        Path adapter = out.resolve("model");
        assertTrue(Files.isRegularFile(adapter.resolve("adapter_config.json")));
        assertFalse(Files.exists(adapter.resolve("model.safetensors")), "an adapter, not a whole model");
        JsonNode c = JSON.readTree(adapter.resolve("adapter_config.json").toFile());
        assertEquals("SEQ_CLS", c.get("task_type").asText());
        assertEquals(4, c.get("r").asInt());
        assertEquals(Path.of(model).toAbsolutePath().normalize().toString(), c.get("base_model_name_or_path").asText());
        Map<String, HostTensor> t = SafeTensors.read(adapter.resolve("adapter_model.safetensors"));
        // 2 layers x query, value x A, B + pooler and classifier weight and bias
        assertEquals(12, t.size(), t.keySet().toString());
        assertTrue(t.containsKey("base_model.model.bert.encoder.layer.1.attention.self.value.lora_B.weight"));
        float[] b = t.get("base_model.model.bert.encoder.layer.0.attention.self.query.lora_B.weight").floats();
        assertTrue(java.util.stream.IntStream.range(0, b.length).anyMatch(i -> b[i] != 0f), "B moved from zero: the adapters trained");
        assertTrue(JSON.readTree(out.resolve("metrics.json").toFile()).get("test").has("macro_f1"));

        Path p = tmp.resolve("pred.csv");
        Cli pr = Cli.run("predict", "-m", adapter.toString(), "-i", ds.toString(), "--filter", FinetuneCliTest.THREE, "-o", p.toString());
        assertEquals(0, pr.exit(), pr.err());
        Map<String, List<String>> pred = Csv.columns(out.resolve("predictions.csv"));
        Map<String, List<String>> all = Csv.columns(p);
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < all.get("cell_id").size(); i++) {
            row.put(all.get("cell_id").get(i), i);
        }
        for (int i = 0; i < pred.get("cell_id").size(); i++) {
            int j = row.get(pred.get("cell_id").get(i));
            for (String col : List.of("prob_CD14+ Monocyte", "prob_CD19+ B", "prob_Dendritic")) {
                assertEquals(Double.parseDouble(pred.get(col).get(i)), Double.parseDouble(all.get(col).get(j)), 2e-6, col);
            }
        }
        // and without NF4 (the adapter over full-precision weights) the probabilities move
        Cli fp = Cli.run("predict", "-m", adapter.toString(), "-i", ds.toString(), "--filter", FinetuneCliTest.THREE, "-o",
                tmp.resolve("fp.csv").toString(), "--quantize", "none");
        assertEquals(0, fp.exit(), fp.err());
        assertFalse(Csv.columns(tmp.resolve("fp.csv")).get("prob_Dendritic").equals(all.get("prob_Dendritic")));
    }

    @Test
    void aStoppedLoraRunResumesToTheAdapterOfAnUninterruptedOne() throws Exception {
        String[] extra = {"--epochs", "1", "--batch-size", "8", "--max-ncells", "48"};
        Path straight = tmp.resolve("straight");
        Path stopped = tmp.resolve("stopped");
        assertEquals(0, Cli.run(args(straight, extra)).exit());
        Cli first = Cli.run(args(stopped, concat(extra, "--stop-after-steps", "2")));
        assertEquals(0, first.exit(), first.err());
        assertFalse(Files.exists(stopped.resolve("metrics.json")));
        Cli second = Cli.run(args(stopped, extra));
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.err().contains("resumed"), second.err());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model/adapter_model.safetensors")),
                Files.readAllBytes(stopped.resolve("model/adapter_model.safetensors")));
    }

    @Test
    void int8AndDenseOnACellClassifierAreRefused() {
        Cli r = Cli.run("finetune", "cell", "-m", model, "-i", ds.toString(), "--label", "cell_type", "-o",
                tmp.resolve("a").toString(), "--quantize", "nf4", "--lora-targets", "query,dense");
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains("dense"), r.err());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
