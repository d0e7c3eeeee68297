package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code geneformer pretrain} end to end on a tiny V1 model without dropout and short cells: its outputs, an
 * interrupted run resumed to the uninterrupted weights, and two data-parallel ranks with batch 4 giving the weights
 * of one process with batch 8 (each cell is masked by its own seed, and ranks weight their losses by their masked
 * tokens, so the same step is computed).
 */
class PretrainCliTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path data;

    @BeforeAll
    static void setUp() {
        System.setProperty("geneformer.launch.classpath", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        model = tmp.resolve("model");
        assertEquals(0, Cli.run("models", "init", model.toString(), "--model-version", "V1", "--layers", "2", "--hidden", "32",
                "--heads", "2", "--intermediate", "64", "--max-positions", "64", "--dropout", "0", "--seed", "3").exit());
        data = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", data.toString(), "--model-version", "V1",
                "--input-size", "32").exit());
    }

    static String[] pretrain(Path out, int batch, String... more) {
        // 630 training cells: 79 batches of 8 an epoch, so 0.06 epochs is 5 steps
        List<String> a = new ArrayList<>(List.of("pretrain", "-m", model.toString(), "-i", data.toString(), "-o", out.toString(),
                "--valid-fraction", "0.1", "--epochs", "0.06", "--batch-size", Integer.toString(batch), "--learning-rate", "1e-3",
                "--warmup-steps", "2", "--threads", "1", "--seed", "9"));
        a.addAll(List.of(more));
        return a.toArray(String[]::new);
    }

    @Test
    void writesAMaskedLanguageModelWithItsMetricsAndResumesExactly() throws Exception {
        Path straight = tmp.resolve("straight");
        Cli r = Cli.run(pretrain(straight, 8, "--eval-steps", "5"));
        assertEquals(0, r.exit(), r.err());
        JsonNode config = new ObjectMapper().readTree(straight.resolve("model/config.json").toFile());
        assertEquals("BertForMaskedLM", config.path("architectures").get(0).asText());
        JsonNode metrics = new ObjectMapper().readTree(straight.resolve("metrics.json").toFile());
        assertEquals(5, metrics.path("steps").asInt());
        double loss = metrics.path("valid").path("loss").asDouble();
        double unigram = metrics.path("valid").path("unigram_loss").asDouble();
        assertTrue(loss > 0 && unigram > 0 && metrics.path("valid").path("masked_tokens").asDouble() > 100, metrics.toString());
        assertTrue(Math.abs(metrics.path("valid").path("perplexity").asDouble() - Math.exp(loss)) < 1e-6 * Math.exp(loss));
        assertTrue(Files.readString(straight.resolve("metrics.jsonl")).contains("eval_unigram_loss"));
        // every training-loss line says where its steps' time went, and the parts fit in the whole
        int timed = 0;
        for (String l : Files.readAllLines(straight.resolve("metrics.jsonl"))) {
            JsonNode n = new ObjectMapper().readTree(l);
            if (n.has("tokens_per_s")) {
                double parts = n.get("ms_forward_backward").asDouble() + n.get("ms_all_reduce").asDouble() + n.get("ms_optimizer").asDouble();
                assertTrue(n.get("ms_forward_backward").asDouble() > 0 && parts <= n.get("ms_step").asDouble() * 1.001, l);
                timed++;
            }
        }
        assertTrue(timed > 0);
        assertTrue(Files.exists(straight.resolve("training_curves.png")));

        Path resumed = tmp.resolve("resumed");
        Cli first = Cli.run(pretrain(resumed, 8, "--eval-steps", "5", "--save-steps", "1", "--stop-after-steps", "3"));
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.err().contains("stopped after step 3"), first.err());
        assertEquals(List.of("checkpoint-2", "checkpoint-3"), FinetuneCliTest.checkpoints(resumed), "the two newest are kept by default");
        // how many are kept may change between slices; the rest resumes from step 3
        Cli rest = Cli.run(pretrain(resumed, 8, "--eval-steps", "5", "--save-steps", "1", "--save-total-limit", "1"));
        assertEquals(0, rest.exit(), rest.err());
        assertTrue(rest.err().contains("resumed"), rest.err());
        assertEquals(0.0, DataParallelCliTest.maxDifference(straight, resumed), "resumed run ends with the same weights");
        assertEquals(List.of(), FinetuneCliTest.checkpoints(resumed), "a finished run keeps model/, not its checkpoints");

        Cli again = Cli.run(pretrain(straight, 8));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already holds a finished pretraining run"), again.err());
    }

    @Test
    void aGenecorpusParquetShardIsReadAndItsCellsCheckedBeforeTraining() {
        String[] a = pretrain(tmp.resolve("parquet"), 8);
        a[4] = TestData.resource("fixtures/genecorpus_500_samples.parquet").toString(); // -i
        Cli p = Cli.run(a);
        assertEquals(1, p.exit());
        assertTrue(p.err().contains("genecorpus_500_samples.parquet row") && p.err().contains("the model takes 64 positions"), p.err());
    }

    @Test
    void twoRanksWithBatchFourEqualOneProcessWithBatchEight() {
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        assertEquals(0, Cli.run(pretrain(one, 8)).exit());
        Cli b = Cli.run(pretrain(two, 4, "--nproc-per-node", "2"));
        assertEquals(0, b.exit(), b.err());
        double d = DataParallelCliTest.maxDifference(one, two);
        System.out.println("pretraining, 2 ranks x batch 4 vs 1 process x batch 8, 5 steps: max weight difference " + d);
        assertTrue(d < 1e-6, "weights differ by " + d);
    }
}
