package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each writer killed with SIGKILL at a random point, then run again with the same command: the final output is
 * byte for byte the one an uninterrupted run writes, and nothing else is left beside it (no staging, no lock).
 * The kill points are drawn from a seed printed on failure, between the JVM's start and the run's end, so that over
 * many CI runs every phase (loading, computing, publishing) gets hit. Finetune has its own kill-and-resume test
 * (FinetuneCliTest).
 */
class CrashConsistencyTest {
    static final long SEED = Long.getLong("crash.seed", System.nanoTime());

    @TempDir
    Path tmp;

    /** The example listed {@code copies} times, tokenized for V2 (fast, in-process). */
    Path dataset(int copies) {
        Path out = tmp.resolve("cells.dataset");
        String inputs = String.join(",", Collections.nCopies(copies, TestData.example().toString()));
        Cli r = Cli.run("tokenize", "-i", inputs, "-o", out.toString(), "--prefix-cell-ids");
        assertEquals(0, r.exit(), r.err());
        return out;
    }

    @Test
    void tokenizeEmbedAndPerturbKilledAnywhereThenRerunGiveTheUninterruptedOutput() throws Exception {
        Random rng = new Random(SEED);
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Path ds = dataset(4);
        String example = String.join(",", Collections.nCopies(10, TestData.example().toString()));
        List<String[]> commands = List.of(
                new String[] {"tokenize", "-i", example, "--prefix-cell-ids", "--threads", "1", "--chunk-size", "64", "-o"},
                new String[] {"embed", "-m", model, "-i", ds.toString(), "--max-ncells", "0", "--batch-size", "8",
                    "--threads", "1", "-o"},
                new String[] {"perturb", "-m", model, "-i", ds.toString(), "--cell-range", "0:6", "--shard-cells", "1",
                    "--threads", "1", "-o"});
        List<String> outputs = List.of("tok.dataset", "cells.csv", "isp");
        // tokenize and embed publish their output with one rename at the end, so once it exists the run is complete
        // (a kill can land between that rename and the JVM's exit); perturb fills its directory shard by shard
        List<Boolean> publishedWhole = List.of(true, true, false);
        for (int c = 0; c < commands.size(); c++) {
            Path reference = tmp.resolve("ref").resolve(commands.get(c)[0]).resolve(outputs.get(c));
            Files.createDirectories(reference.getParent());
            long start = System.nanoTime();
            Process ref = start(commands.get(c), reference);
            assertEquals(0, ref.waitFor(), "uninterrupted " + commands.get(c)[0] + ": " + Files.readString(log(reference)));
            long full = System.nanoTime() - start;

            Path out = tmp.resolve("killed").resolve(commands.get(c)[0]).resolve(outputs.get(c));
            Files.createDirectories(out.getParent());
            // two kills at random points of the run's length, then a rerun to the end; a run that happens to finish
            // before its kill has written the final output, and the rerun is then not needed
            boolean finished = false;
            for (int k = 0; k < 2 && !finished; k++) {
                long at = (long) (full * (0.15 + 0.8 * rng.nextDouble()));
                Process p = start(commands.get(c), out);
                if (p.waitFor(at, TimeUnit.NANOSECONDS)) {
                    finished = p.exitValue() == 0;
                } else {
                    p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
                    finished = publishedWhole.get(c) && Files.exists(out);
                }
            }
            if (!finished) {
                Process rerun = start(commands.get(c), out);
                assertEquals(0, rerun.waitFor(), "rerun of " + commands.get(c)[0] + " (seed " + SEED + "): "
                        + Files.readString(log(out)));
            }
            assertEquals(files(reference), files(out), commands.get(c)[0] + ": the same files (seed " + SEED + ")");
            for (String f : files(reference).keySet()) {
                if (f.endsWith("run.json")) {
                    continue; // records the run's paths, which differ between the two runs
                }
                assertArrayEquals(Files.readAllBytes(reference.resolveSibling(f)), Files.readAllBytes(out.resolveSibling(f)),
                        commands.get(c)[0] + ": " + f + " differs after kills (seed " + SEED + ")");
            }
            try (Stream<Path> left = Files.list(out.getParent())) {
                List<String> names = left.map(p -> p.getFileName().toString()).filter(n -> !n.endsWith(".log")).sorted().toList();
                assertEquals(List.of(out.getFileName().toString()), names, commands.get(c)[0] + " left something beside its output (seed " + SEED + ")");
            }
        }
    }

    private Process start(String[] args, Path out) throws IOException {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp, Main.class.getName()));
        cmd.addAll(List.of(args));
        cmd.add(out.toString());
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(
                ProcessBuilder.Redirect.appendTo(log(out).toFile())).start();
    }

    private static Path log(Path out) {
        return out.resolveSibling(out.getFileName() + ".log");
    }

    /** Every file of the output (a file or a directory), by path relative to the output's parent, with its size. */
    private static TreeMap<String, Long> files(Path out) throws IOException {
        TreeMap<String, Long> m = new TreeMap<>();
        if (Files.isRegularFile(out)) {
            m.put(out.getFileName().toString(), Files.size(out));
            return m;
        }
        assertTrue(Files.isDirectory(out), out + " missing");
        try (Stream<Path> s = Files.walk(out)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                m.put(out.getParent().relativize(p).toString(), Files.size(p));
            }
        }
        return m;
    }
}
