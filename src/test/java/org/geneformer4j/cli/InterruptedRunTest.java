package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A tokenization killed with SIGKILL leaves no dataset that looks complete, and the rerun succeeds. */
class InterruptedRunTest {
    @TempDir
    Path tmp;

    @Test
    void killedRunLeavesNoDatasetAndTheRerunSucceeds() throws Exception {
        Path out = tmp.resolve("cells.dataset");
        String inputs = String.join(",", Collections.nCopies(400, TestData.example().toString()));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp, Main.class.getName(), "tokenize",
                "-i", inputs, "-o", out.toString(), "--prefix-cell-ids", "--threads", "1", "--chunk-size", "1"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        Path partial = null;
        while (partial == null && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(5);
            partial = staging();
            if (partial != null && !(Files.exists(partial.resolve("shard-0.arrow")) && Files.size(partial.resolve("shard-0.arrow")) > 0)) {
                partial = null;
            }
        }
        assertTrue(p.isAlive(), "the run must still be going when killed: " + Files.readString(tmp.resolve("log.txt")));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(out), "a killed run must not leave the output directory");
        assertTrue(Files.exists(partial), "its work in progress lives only in its hidden partial directory");
        assertTrue(Files.exists(tmp.resolve(".cells.dataset.lock")), "the killed writer's lock is left, and stale");

        Cli rerun = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString());
        assertEquals(0, rerun.exit(), rerun.err());
        assertTrue(Files.isRegularFile(out.resolve("state.json")));
        assertFalse(Files.exists(partial), "the rerun clears the stale partial directory");
        assertEquals(null, staging(), "and leaves no staging of its own");
        assertFalse(Files.exists(tmp.resolve(".cells.dataset.lock")), "the rerun took the stale lock over and released it");
    }

    /** The hidden staging directory of a writer of cells.dataset, if there is one. */
    private Path staging() throws java.io.IOException {
        try (var s = Files.list(tmp)) {
            return s.filter(f -> f.getFileName().toString().startsWith(".cells.dataset.partial-")).findFirst().orElse(null);
        }
    }
}
