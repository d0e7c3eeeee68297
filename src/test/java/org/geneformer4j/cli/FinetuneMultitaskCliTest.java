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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** geneformer finetune multitask and tune --multitask on the example PBMCs (cell type and cell-cycle phase), tiny V2 model. */
class FinetuneMultitaskCliTest {
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
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString(), "--attr", "bulk_labels=cell_type",
                "--attr", "phase");
        assertEquals(0, r.exit(), r.err());
        model = TestData.resource("fixtures/model/tiny_v2").toString();
    }

    static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "multitask", "-m", model, "-i", ds.toString(), "--tasks", "cell_type,phase",
                "--filter", FinetuneCliTest.THREE, "--learning-rate", "2e-3", "--threads", "2", "-o", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    @Test
    void aRunKeepsPerTaskMetricsPredictionsTheModelWithHeadsAndABackboneThatEmbedTakes() throws Exception {
        Path out = tmp.resolve("run");
        // a few steps on a sample: the tiny random model needs hundreds of steps to tell the types apart (finetune cell's
        // test shows that it learns); here the outputs are what is checked, the arithmetic by MultiTaskParityTest
        Cli r = Cli.run(args(out, "--epochs", "1", "--batch-size", "8", "--max-ncells", "120", "--save-backbone"));
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("cell_type test: accuracy"), r.err());
        JsonNode m = JSON.readTree(out.resolve("metrics.json").toFile());
        JsonNode test = m.get("test");
        Map<String, List<String>> splits = Csv.columns(out.resolve("splits.csv"));
        assertEquals(splits.get("split").stream().filter("test"::equals).count(), test.get("examples").asLong());
        assertEquals(List.of("cell_type", "phase"), List.copyOf(iterable(test.get("tasks").fieldNames())));
        List<String> phases = JSON.convertValue(test.get("tasks").get("phase").get("classes"), new com.fasterxml.jackson.core.type.TypeReference<List<String>>() {});
        assertEquals(new ArrayList<>(new TreeSet<>(phases)), phases, "classes are the sorted unique values");
        assertTrue(Set.of("G1", "G2M", "S").containsAll(phases) && phases.size() >= 2, phases.toString());
        assertEquals((test.get("tasks").get("cell_type").get("macro_f1").asDouble() + test.get("tasks").get("phase").get("macro_f1").asDouble()) / 2,
                test.get("macro_f1").asDouble(), 1e-12);
        assertEquals("validation loss", m.get("selected_on").asText());

        Map<String, List<String>> pred = Csv.columns(out.resolve("predictions.csv"));
        List<String> header = new ArrayList<>(List.of("cell_id", "cell_type", "cell_type_predicted", "cell_type_prob_CD14+ Monocyte",
                "cell_type_prob_CD19+ B", "cell_type_prob_Dendritic", "phase", "phase_predicted"));
        phases.forEach(c -> header.add("phase_prob_" + c));
        assertEquals(header, List.copyOf(pred.keySet()));
        assertEquals(test.get("examples").asInt(), pred.get("cell_id").size());
        for (int i = 0; i < pred.get("cell_id").size(); i++) {
            double s = 0;
            for (String c : phases) {
                s += Double.parseDouble(pred.get("phase_prob_" + c).get(i));
            }
            assertEquals(1, s, 1e-4);
        }

        JsonNode config = JSON.readTree(out.resolve("model/config.json").toFile());
        assertEquals("GeneformerMultiTask", config.get("architectures").get(0).asText());
        JsonNode spec = JSON.readTree(out.resolve("model/multitask.json").toFile());
        assertEquals("attention", spec.get("pooling").asText());
        assertEquals("phase", spec.get("tasks").get(1).get("column").asText());
        Checkpoint withHeads = Checkpoint.load(out.resolve("model"));
        assertTrue(withHeads.tensors().containsKey("attention_pool.attention_weights"));
        assertArrayEquals(new long[] {phases.size(), 16}, withHeads.tensors().get("classification_heads.1.weight").shape());

        // the backbone: a BertForMaskedLM with every tensor transformers saves for one, the encoder the trained one
        Checkpoint backbone = Checkpoint.load(out.resolve("backbone"));
        Checkpoint pretrained = Checkpoint.load(Path.of(model));
        assertEquals(new TreeSet<>(pretrained.tensors().keySet()), new TreeSet<>(backbone.tensors().keySet()));
        assertEquals("BertForMaskedLM", backbone.config().architecture());
        boolean changed = false;
        for (Map.Entry<String, HostTensor> e : backbone.tensors().entrySet()) {
            HostTensor before = pretrained.tensors().get(e.getKey());
            if (e.getKey().startsWith("bert.")) {
                assertArrayEquals(withHeads.tensors().get(e.getKey()).floats(), e.getValue().floats(), e.getKey());
                changed |= !java.util.Arrays.equals(before.floats(), e.getValue().floats());
            } else {
                assertArrayEquals(before.floats(), e.getValue().floats(), e.getKey() + ": the pretrained MLM head, untouched");
            }
        }
        assertTrue(changed, "fine-tuning moved the encoder");
        Cli embed = Cli.run("embed", "-m", out.resolve("backbone").toString(), "-i", ds.toString(), "--max-ncells", "20", "--threads", "2",
                "-o", tmp.resolve("emb.csv").toString());
        assertEquals(0, embed.exit(), embed.err());
        assertEquals(21, Files.readAllLines(tmp.resolve("emb.csv")).size());

        assertEquals(List.of(), FinetuneCliTest.checkpoints(out), "a finished run drops its resumable state");
        assertTrue(Files.size(out.resolve("training_curves.png")) > 10_000);
        assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("eval_phase.macro_f1"));
        Cli again = Cli.run(args(out, "--epochs", "1", "--batch-size", "8", "--max-ncells", "120"));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already holds a finished run"), again.err());
    }

    static <T> List<T> iterable(java.util.Iterator<T> it) {
        List<T> l = new ArrayList<>();
        it.forEachRemaining(l::add);
        return l;
    }

    @Test
    void tuneMultitaskSearchesUpstreamsSpaceAndKeepsTheTrialOfLowestValidationLoss() throws Exception {
        Path space = tmp.resolve("space.json");
        Files.writeString(space, "{\"learning_rate\": {\"type\": \"loguniform\", \"low\": 1e-4, \"high\": 3e-3}, \"pooling\": [\"attention\", \"cls\"]}");
        Path out = tmp.resolve("study");
        Cli r = Cli.run("tune", "-m", model, "-i", ds.toString(), "--multitask", "cell_type,phase", "--filter", FinetuneCliTest.THREE,
                "--max-ncells", "60", "--epochs", "0.5", "--batch-size", "8", "--space", space.toString(), "--sampler", "random", "--threads", "2",
                "--trials", "2", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        List<String> report = Files.readAllLines(out.resolve("report.csv"));
        assertEquals(3, report.size(), String.join("\n", report));
        assertEquals("trial,learning_rate,warmup_ratio,weight_decay,dropout_rate,lr_scheduler_type,task_weight.cell_type,task_weight.phase,"
                + "max_layers_to_freeze,pooling,valid_unweighted_loss,valid_accuracy,test_unweighted_loss,test_accuracy", report.get(0));
        List<Double> losses = new ArrayList<>();
        for (String line : report.subList(1, 3)) {
            String[] f = line.split(",");
            losses.add(Double.parseDouble(f[10]));
            int freeze = Integer.parseInt(f[8]);
            assertTrue(freeze >= 0 && freeze <= 1, "0..L-1 layers frozen for the 2-layer model: " + freeze);
            JsonNode m = JSON.readTree(out.resolve(String.format("trial-%03d/metrics.json", Integer.parseInt(f[0]))).toFile());
            JsonNode w = m.get("valid").get("task_weights");
            assertEquals(1, w.get("cell_type").asDouble() + w.get("phase").asDouble(), 1e-9, "task weights normalised to sum 1");
            assertEquals(Double.parseDouble(f[6]) / (Double.parseDouble(f[6]) + Double.parseDouble(f[7])), w.get("cell_type").asDouble(), 1e-5);
            assertEquals(freeze, m.get("freeze_layers").asInt());
        }
        for (int i = 1; i < losses.size(); i++) {
            assertTrue(losses.get(i - 1) <= losses.get(i), "best first, lowest loss first: " + losses);
        }
        String best = report.get(1).split(",")[0];
        assertArrayEquals(Files.readAllBytes(out.resolve(String.format("trial-%03d/model/model.safetensors", Integer.parseInt(best)))),
                Files.readAllBytes(out.resolve("best_model/model.safetensors")));
        assertTrue(Files.exists(out.resolve("best_model/multitask.json")));
    }

    @Test
    void badInputGetsOneErrorLine() {
        Path out = tmp.resolve("bad");
        FinetuneCliTest.expectError(Cli.run(args(out, "--task-weights", "1,2,3")), "--task-weights gives 3 weight(s) for the 2 --tasks");
        FinetuneCliTest.expectError(Cli.run(args(out, "--pooling", "mean")), "--pooling takes attention or cls");
        FinetuneCliTest.expectError(Cli.run(args(out, "--task-weights", "0,0")), "at least one task needs a weight above 0");
        FinetuneCliTest.expectError(Cli.run("finetune", "multitask", "-m", model, "-i", ds.toString(), "--tasks", "cell_type,donor", "-o", out.toString()),
                "--tasks column 'donor' is not in the dataset");
        FinetuneCliTest.expectError(Cli.run("tune", "-m", model, "-i", ds.toString(), "--multitask", "cell_type,phase", "--label", "cell_type",
                "-o", out.toString()), "leave out --label");
        Cli noLabel = Cli.run("tune", "-m", model, "-i", ds.toString(), "-o", out.toString());
        assertEquals(2, noLabel.exit(), "a missing --label is still a usage error: " + noLabel.err());
        assertTrue(noLabel.err().contains("Missing required option: '--label=COLUMN'"), noLabel.err());
        assertFalse(Files.exists(out), "failed runs leave no output directory");
        Cli help = Cli.run("finetune", "multitask", "--help");
        String flat = help.out().replaceAll("\\s+", " ");
        for (String d : List.of("Peak learning rate. Default: 1e-3.", "Default: 0.1.", "constant. Default: cosine.", "Cells per batch. Default: 4.")) {
            assertTrue(flat.contains(d), "upstream's multi-task defaults: " + d + " in " + flat);
        }
    }
}
