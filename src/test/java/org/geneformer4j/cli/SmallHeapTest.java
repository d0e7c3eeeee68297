package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a small Java heap does. It does not cap LibTorch's memory: JavaCPP's default limit on resident memory is four times the
 * heap's; a pretraining step on 2,048-token cells with {@code -Xmx96m} passed it (372 MB against 368) and the job
 * died with "OutOfMemoryError: Physical memory usage is too high" and a stack trace. And a heap too small for the
 * Java side is one error line that says how to raise it, not a JVM stack trace.
 */
class SmallHeapTest {
    @TempDir
    Path tmp;

    @Test
    void aPretrainingStepOutgrowsASmallHeapAndFinishes() throws Exception {
        Path model = tmp.resolve("model");
        Cli init = Cli.run("models", "init", model.toString(), "--model-version", "V1", "--layers", "2", "--hidden", "128",
                "--heads", "4", "--intermediate", "256", "--dropout", "0");
        assertEquals(0, init.exit(), init.err());
        List<String> cmd = java("-Xmx96m", "pretrain",
                "-m", model.toString(), "-i", TestData.resource("fixtures/genecorpus_500_samples.parquet").toString(),
                "-o", tmp.resolve("run").toString(), "--valid-fraction", "0", "--epochs", "1", "--batch-size", "8",
                "--stop-after-steps", "1", "--threads", "2");
        Path log = tmp.resolve("pretrain.log");
        assertEquals(0, run(cmd, log), Files.readString(log));
        assertTrue(Files.readString(log).contains("stopped after step 1"), Files.readString(log));
    }

    @Test
    void aFullHeapIsOneErrorLine() throws Exception {
        Path log = tmp.resolve("embed.log");
        List<String> cmd = java("-Xmx32m", "embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(),
                "-i", Path.of("examples/pbmc68k_reduced_counts.h5ad").toAbsolutePath().toString(),
                "-o", tmp.resolve("emb.csv").toString(), "--threads", "1");
        assertEquals(1, run(cmd, log), Files.readString(log));
        List<String> lines = Files.readAllLines(log);
        assertEquals(1, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(0).startsWith("error: the Java heap is full (")
                && lines.get(0).endsWith("give it more with GENEFORMER_JAVA_OPTS=-Xmx<size>"), lines.get(0));
    }

    /** This program under {@code java} with {@code heap}, on the test's class path. */
    private static List<String> java(String heap, String... args) {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                heap, "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp, "org.geneformer4j.cli.Main"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static int run(List<String> cmd, Path log) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "still runs");
        return p.exitValue();
    }
}
