package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Data-parallel fine-tuning over Gloo on loopback: two ranks with batch b end with the weights of one process with
 * batch 2b, and a rank killed mid-run stops the other with an error; the rerun resumes to the uninterrupted weights.
 * The model has no dropout, so the two layouts of the same batch draw no different masks.
 */
class DataParallelCliTest {
    @TempDir
    static Path tmp;
    static Path model;
    static Path data;

    @BeforeAll
    static void setUp() {
        System.setProperty("geneformer.launch.classpath", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        model = tmp.resolve("model");
        assertEquals(0, Cli.run("models", "init", model.toString(), "--model-version", "V2", "--layers", "2", "--hidden", "32",
                "--heads", "2", "--intermediate", "64", "--dropout", "0", "--seed", "3").exit());
        data = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", data.toString(), "--attr", "bulk_labels=cell_type").exit());
    }

    static List<String> finetune(Path out, int batch, String... more) {
        List<String> a = new ArrayList<>(List.of("finetune", "cell", "-m", model.toString(), "-i", data.toString(), "--label", "cell_type",
                "--filter", "cell_type=CD14+ Monocyte,CD19+ B,Dendritic", "--max-ncells", "96", "--epochs", "1", "--batch-size",
                Integer.toString(batch), "--learning-rate", "1e-3", "--warmup-steps", "2", "--no-load-best", "--threads", "1",
                "--seed", "5", "-o", out.toString()));
        a.addAll(List.of(more));
        return a;
    }

    static double maxDifference(Path a, Path b) {
        Map<String, HostTensor> x = SafeTensors.read(a.resolve("model/model.safetensors"));
        Map<String, HostTensor> y = SafeTensors.read(b.resolve("model/model.safetensors"));
        assertEquals(x.keySet(), y.keySet());
        double worst = 0;
        for (String k : x.keySet()) {
            float[] u = x.get(k).floats();
            float[] v = y.get(k).floats();
            for (int i = 0; i < u.length; i++) {
                worst = Math.max(worst, Math.abs(u[i] - v[i]));
            }
        }
        return worst;
    }

    @Test
    void twoRanksWithBatchFourEqualOneProcessWithBatchEight() {
        Path one = tmp.resolve("one");
        Path two = tmp.resolve("two");
        Cli a = Cli.run(finetune(one, 8).toArray(String[]::new));
        assertEquals(0, a.exit(), a.err());
        Cli b = Cli.run(finetune(two, 4, "--nproc-per-node", "2").toArray(String[]::new));
        assertEquals(0, b.exit(), b.err());
        assertTrue(b.err().contains("launched 2 ranks"), b.err());
        double d = maxDifference(one, two);
        System.out.println("2 ranks x batch 4 vs 1 process x batch 8: max weight difference " + d);
        assertTrue(d < 1e-6, "weights after the same steps differ by " + d);
        // and the weights moved: the comparison is not of two untrained models
        assertTrue(maxDifferenceToStart(one, model) > 1e-4);
        // the logged training loss is the whole batch's, not rank 0's share of it
        List<Double> a1 = losses(one);
        List<Double> b1 = losses(two);
        assertEquals(a1.size(), b1.size());
        assertTrue(a1.size() >= 2, a1.toString());
        for (int i = 0; i < a1.size(); i++) {
            assertEquals(a1.get(i), b1.get(i), 1e-5 * Math.abs(a1.get(i)), "logged loss " + i + ": " + a1 + " vs " + b1);
        }
    }

    /**
     * The gene classifier too: a rank's share of a batch counts by its labelled genes, not its cells, so 2 ranks x 4
     * still take the step of 1 process x 8.
     */
    @Test
    void geneClassifierTwoRanksWithBatchFourEqualOneProcessWithBatchEight() throws Exception {
        StringBuilder tsv = FinetuneCliTest.topGeneClasses(data);
        Path classes = tmp.resolve("genes.tsv");
        Files.writeString(classes, tsv);
        List<Path> runs = new ArrayList<>();
        for (String[] layout : new String[][] {{"8"}, {"4", "--nproc-per-node", "2"}}) {
            Path out = tmp.resolve("gene-" + layout[0]);
            List<String> a = new ArrayList<>(List.of("finetune", "gene", "-m", model.toString(), "-i", data.toString(), "--gene-classes",
                    classes.toString(), "--cv", "2", "--folds-to-run", "1", "--max-ncells", "48", "--epochs", "1", "--batch-size",
                    layout[0], "--learning-rate", "1e-3", "--warmup-steps", "2", "--no-load-best", "--threads", "1", "--seed", "5",
                    "-o", out.toString()));
            a.addAll(List.of(layout).subList(1, layout.length));
            Cli r = Cli.run(a.toArray(String[]::new));
            assertEquals(0, r.exit(), r.err());
            runs.add(out.resolve("fold-1"));
        }
        double d = maxDifference(runs.get(0), runs.get(1));
        System.out.println("gene classifier, 2 ranks x batch 4 vs 1 process x batch 8: max weight difference " + d);
        // 4.8e-7 here, above the cell classifier's 1.2e-7: a rank's token losses are summed over more terms; the bound
        // leaves room for another CPU's vector width to round differently
        assertTrue(d < 2e-6, "weights differ by " + d);
        assertTrue(maxDifferenceToStart(runs.get(0), model) > 1e-4, "the weights moved");
    }

    /** The training-loss values of a run's metrics.jsonl, in order. */
    static List<Double> losses(Path run) {
        try {
            List<Double> out = new ArrayList<>();
            var json = new com.fasterxml.jackson.databind.ObjectMapper();
            for (String l : Files.readAllLines(run.resolve("metrics.jsonl"))) {
                var n = json.readTree(l);
                if (n.has("loss") && n.path("loss").isNumber()) {
                    out.add(n.get("loss").asDouble());
                }
            }
            return out;
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The largest change of an encoder weight from the starting model {@code start}. */
    static double maxDifferenceToStart(Path run, Path start) {
        Map<String, HostTensor> x = SafeTensors.read(run.resolve("model/model.safetensors"));
        Map<String, HostTensor> y = SafeTensors.read(start.resolve("model.safetensors"));
        double worst = 0;
        for (String k : y.keySet()) {
            if (!x.containsKey(k) || !k.contains("encoder")) {
                continue;
            }
            float[] u = x.get(k).floats();
            float[] v = y.get(k).floats();
            for (int i = 0; i < u.length; i++) {
                worst = Math.max(worst, Math.abs(u[i] - v[i]));
            }
        }
        return worst;
    }

    @Test
    void aKilledRankStopsTheOtherWithAnErrorAndTheRerunResumesToTheSameWeights() throws Exception {
        Path straight = tmp.resolve("straight");
        assertEquals(0, Cli.run(finetune(straight, 4, "--nproc-per-node", "2", "--save-steps", "2").toArray(String[]::new)).exit());
        Path killed = tmp.resolve("killed");
        List<String> args = finetune(killed, 4, "--nproc-per-node", "2", "--save-steps", "2", "--dist-timeout", "30");
        List<Path> logs = new ArrayList<>();
        long t0 = System.nanoTime();
        List<Process> ranks = twoRanks(args, Map.of("GENEFORMER_FAULT_RANK", "1", "GENEFORMER_FAULT_STEP", "5"), "rank", logs);
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(137, ranks.get(1).exitValue(), "the killed rank");
        assertEquals(1, ranks.get(0).exitValue(), Files.readString(logs.get(0)));
        List<String> errors = Files.readAllLines(logs.get(0)).stream().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), Files.readString(logs.get(0)));
        assertTrue(errors.get(0).contains("another rank stopped"), errors.get(0));
        assertTrue(seconds < 60, "the job took " + seconds + " s to stop");
        assertEquals(List.of("checkpoint-2", "checkpoint-4"), FinetuneCliTest.checkpoints(killed), "steps 2 and 4 were saved");
        // the rerun, with the same command, resumes from step 4 and ends where the uninterrupted run ended
        Cli again = Cli.run(args.toArray(String[]::new));
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("resumed"), again.err()); // rank 0's lines come through the launcher
        double d = maxDifference(straight, killed);
        System.out.println("killed rank 1 at step 5: the others stopped in " + seconds + " s; resumed vs uninterrupted: " + d);
        assertTrue(d < 1e-6, "resumed weights differ by " + d);
    }

    /**
     * One rank runs out of memory once, after its first backward pass of step 3: it alone goes through the step again
     * in pieces, while the other waits at the gradient reduction. The job ends with the weights of a job that had
     * the memory.
     */
    @Test
    void aRankOutOfMemoryTrainsOnInPiecesAndTheJobEndsWithTheSameWeights() throws Exception {
        Path straight = tmp.resolve("straight-oom");
        assertEquals(0, Cli.run(finetune(straight, 4, "--nproc-per-node", "2").toArray(String[]::new)).exit());
        Path pieces = tmp.resolve("pieces");
        List<Path> logs = new ArrayList<>();
        List<Process> ranks = twoRanks(finetune(pieces, 4, "--nproc-per-node", "2", "--dist-timeout", "30"),
                Map.of("GENEFORMER_FAULT_RANK", "1", "GENEFORMER_FAULT_OOM_STEP", "2"), "oom", logs);
        for (int r = 0; r < 2; r++) {
            assertEquals(0, ranks.get(r).exitValue(), Files.readString(logs.get(r)));
        }
        assertTrue(Files.readString(logs.get(1)).contains("warning: out of memory at step 3 (rank 1): each batch now goes"
                + " through in 2 pieces"), Files.readString(logs.get(1)));
        double d = maxDifference(straight, pieces);
        assertTrue(d < 1e-6, "weights differ by " + d);
    }

    /**
     * Rank 0 alone writes checkpoints, so before each one the ranks check that they hold the same weights bit for bit
     * (every data-parallel test with checkpoints passes that check). A rank nudged off the others after step 3 stops
     * the job at the next save, step 4, with one line; the checkpoint of step 2 stands.
     */
    @Test
    void ranksWhoseWeightsDifferStopTheJobBeforeTheCheckpoint() throws Exception {
        Path out = tmp.resolve("diverged");
        Cli job = Cli.inChildJvm(Map.of("GENEFORMER_FAULT_RANK", "1", "GENEFORMER_FAULT_DIVERGE_STEP", "2"),
                finetune(out, 4, "--nproc-per-node", "2", "--save-steps", "2").toArray(String[]::new));
        assertEquals(1, job.exit(), job.err());
        List<String> errors = job.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), job.err());
        assertTrue(errors.get(0).contains("the ranks' weights differ after step 4"), errors.get(0));
        assertEquals(List.of("checkpoint-2"), FinetuneCliTest.checkpoints(out));
    }

    /** The two ranks of a job over Gloo, started by hand with {@code env} added; waited for, their logs in {@code logs}. */
    private static List<Process> twoRanks(List<String> args, Map<String, String> env, String name, List<Path> logs)
            throws Exception {
        String java = ProcessHandle.current().info().command().orElse("java");
        String cp = System.getProperty("geneformer.launch.classpath");
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        List<Process> ranks = new ArrayList<>();
        for (int r = 0; r < 2; r++) {
            List<String> cmd = new ArrayList<>(List.of(java, "-Xmx512m", "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp,
                    "org.geneformer4j.cli.Main"));
            cmd.addAll(args);
            ProcessBuilder pb = new ProcessBuilder(cmd);
            pb.environment().putAll(Map.of("RANK", "" + r, "WORLD_SIZE", "2", "LOCAL_RANK", "" + r, "MASTER_ADDR", "127.0.0.1",
                    "MASTER_PORT", "" + port));
            pb.environment().putAll(env);
            Path log = tmp.resolve(name + r + ".log");
            logs.add(log);
            ranks.add(pb.redirectErrorStream(true).redirectOutput(log.toFile()).start());
        }
        for (Process p : ranks) {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), "a rank still runs");
        }
        return ranks;
    }

    /**
     * torchrun with one process and a backend named: the rank joins a real group of one (Gloo here; NCCL on a GPU, in
     * scripts/gpu/verify.sh) and trains to the plain run's weights bit for bit, so the collectives' path (broadcast,
     * the pooled buckets, the division by the world size) changes nothing.
     */
    @Test
    void aJobOfOneOverANamedBackendJoinsAGroupAndTrainsAsThePlainRun() throws Exception {
        Path plain = tmp.resolve("plain");
        Cli a = Cli.run(finetune(plain, 8).toArray(String[]::new));
        assertEquals(0, a.exit(), a.err());
        assertTrue(!a.err().contains("collectives over"), a.err());
        Path grouped = tmp.resolve("grouped");
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", System.getProperty("geneformer.launch.classpath"),
                "org.geneformer4j.cli.Main"));
        cmd.addAll(finetune(grouped, 8, "--ddp-backend", "gloo"));
        int port;
        try (var s = new java.net.ServerSocket(0)) {
            port = s.getLocalPort();
        }
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(Map.of("RANK", "0", "WORLD_SIZE", "1", "LOCAL_RANK", "0", "MASTER_ADDR", "127.0.0.1",
                "MASTER_PORT", "" + port));
        Path log = tmp.resolve("grouped.log");
        Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "the rank still runs");
        assertEquals(0, p.exitValue(), Files.readString(log));
        assertTrue(Files.readString(log).contains("trained as 1 rank(s), collectives over gloo"), Files.readString(log));
        assertEquals(0.0, maxDifference(plain, grouped), "a group of one changed the weights");
    }

    @Test
    void ncclOnACpuIsRefusedWithOneLine() {
        Cli c = Cli.run(finetune(tmp.resolve("nccl"), 8, "--ddp-backend", "nccl").toArray(String[]::new));
        assertTrue(c.exit() != 0, c.err());
        List<String> errors = c.err().lines().filter(l -> l.startsWith("error:")).toList();
        assertEquals(1, errors.size(), c.err());
        assertTrue(errors.get(0).contains("--ddp-backend nccl needs CUDA devices"), errors.get(0));
        assertTrue(!Files.exists(tmp.resolve("nccl/model")), "nothing trained");
    }
}
