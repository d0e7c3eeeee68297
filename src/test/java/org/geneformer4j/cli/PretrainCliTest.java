package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
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

    static List<String> errors(Cli c) {
        return c.err().lines().filter(l -> l.startsWith("error:")).toList();
    }

    /** {@code args} with the value of {@code option} replaced. */
    static String[] with(String[] args, String option, String value) {
        String[] a = args.clone();
        a[List.of(a).indexOf(option) + 1] = value;
        return a;
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
        assertTrue(!rest.err().contains("a new optimizer and schedule"), "a resumed run restores its optimizer: " + rest.err());
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

    /**
     * Under {@code --nproc-per-node}, a rank killed mid-run (no message: as the kernel's OOM killer or the batch system
     * does it) stops the job with one error line naming it, and the same command resumes to the weights of a run that
     * was never interrupted.
     */
    @Test
    void aKilledRankStopsTheJobWithOneLineAndTheRerunResumesToTheSameWeights() throws Exception {
        Path plain = tmp.resolve("plain");
        assertEquals(0, Cli.run(pretrain(plain, 8)).exit());
        Path killed = tmp.resolve("killed");
        String[] args = pretrain(killed, 4, "--nproc-per-node", "2", "--save-steps", "2", "--ddp-timeout", "30");
        long t0 = System.nanoTime();
        Cli job = Cli.inChildJvm(Map.of("GENEFORMER_FAULT_RANK", "1", "GENEFORMER_FAULT_STEP", "3"), args);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, job.exit(), job.err());
        assertEquals(List.of("error: rank 1 of 2 was killed by signal 9, without an error of its own (out of host memory, or"
                + " stopped by the batch system?); the job was stopped"), errors(job), job.err());
        assertTrue(seconds < 60, "the job took " + seconds + " s to stop");
        assertEquals(List.of("checkpoint-2"), FinetuneCliTest.checkpoints(killed));
        Cli again = Cli.run(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resumed"), again.err());
        double d = DataParallelCliTest.maxDifference(plain, killed);
        System.out.println("pretraining, rank 1 killed at step 4: stopped in " + seconds + " s; resumed vs 1 x 8: " + d);
        assertTrue(d < 1e-6, "resumed weights differ by " + d);
    }

    /**
     * A rank that hangs (alive, silent) cannot be told from a slow one but by a deadline: the others' collective times
     * out after {@code --ddp-timeout}, and the launcher stops the hung rank. One error line (24 s here).
     */
    @Test
    void aHungRankStopsTheJobWithOneLineAfterTheTimeout() throws Exception {
        Path hung = tmp.resolve("hung");
        long t0 = System.nanoTime();
        Cli job = Cli.inChildJvm(Map.of("GENEFORMER_FAULT_RANK", "1", "GENEFORMER_FAULT_HANG_STEP", "1"),
                pretrain(hung, 4, "--nproc-per-node", "2", "--ddp-timeout", "10"));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(1, job.exit(), job.err());
        assertEquals(1, errors(job).size(), job.err());
        assertTrue(errors(job).get(0).startsWith("error: rank 0 of 2: another rank stopped or does not answer ("), job.err());
        assertTrue(errors(job).get(0).contains("Timed out"), "stopped by the deadline, not by a lost connection: " + job.err());
        // 10 s of timeout, 5 s of grace, three JVM starts: a bound with room for a loaded 2-core machine
        assertTrue(seconds < 90, "the job took " + seconds + " s to stop");
        System.out.println("pretraining, rank 1 hung at step 2 with --ddp-timeout 10: stopped in " + seconds + " s: " + errors(job).get(0));
    }

    /**
     * Continual pretraining (how CLcancer was made) starts from every weight of the pretrained model, its masked-gene
     * head included; a checkpoint without that head (a classifier's) gets a new one, with a warning. A learning rate of
     * 1e-30 leaves the weights where they started, so the output shows what the run started from.
     */
    @Test
    void continualPretrainingStartsFromThePretrainedWeightsAndHead() throws Exception {
        Path base = tmp.resolve("base");
        assertEquals(0, Cli.run(pretrain(base, 8)).exit());
        Path continued = tmp.resolve("continued");
        String[] a = with(with(pretrain(continued, 8), "-m", base.resolve("model").toString()), "--learning-rate", "1e-30");
        Cli c = Cli.run(a);
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("from its weights, masked-gene head included; a new optimizer and schedule"), c.err());
        assertTrue(DataParallelCliTest.maxDifference(base, continued) < 1e-12, "the run did not start from the pretrained weights");

        // a classifier's checkpoint: the same encoder without cls.predictions.*
        Path classifier = tmp.resolve("classifier");
        Files.createDirectories(classifier);
        Files.copy(base.resolve("model/config.json"), classifier.resolve("config.json"));
        Map<String, HostTensor> tensors = new java.util.LinkedHashMap<>(SafeTensors.read(base.resolve("model/model.safetensors")));
        tensors.keySet().removeIf(k -> k.startsWith("cls."));
        SafeTensors.write(classifier.resolve("model.safetensors"), tensors, Map.of("format", "pt"));
        Path newHead = tmp.resolve("new-head");
        a = with(with(pretrain(newHead, 8), "-m", classifier.toString()), "--learning-rate", "1e-30");
        Cli h = Cli.run(a);
        assertEquals(0, h.exit(), h.err());
        assertEquals(1, h.err().lines().filter(l -> l.startsWith("warning: ") && l.contains("has no masked-gene head")).count(), h.err());
        Map<String, HostTensor> out = SafeTensors.read(newHead.resolve("model/model.safetensors"));
        for (String k : tensors.keySet()) {
            float[] u = tensors.get(k).floats();
            float[] v = out.get(k).floats();
            for (int i = 0; i < u.length; i++) {
                assertTrue(Math.abs(u[i] - v[i]) < 1e-12, k);
            }
        }
        for (float v : out.get("cls.predictions.transform.LayerNorm.weight").floats()) {
            assertEquals(1f, v, 1e-12, "a new LayerNorm starts as the identity");
        }
    }
}
