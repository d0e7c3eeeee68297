package org.geneformer4j.util;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's marker may be a glob: a run killed before its first log line holds only {@code checkpoint-STEP/}. */
class OutputGuardTest {
    @TempDir
    Path tmp;

    @Test
    void aGlobMarkerRecognisesANumberedCheckpoint() throws Exception {
        OutputGuard.Kind run = OutputGuard.Kind.directoryWith("run", "metrics.jsonl", "checkpoint-*");
        Path killedEarly = Files.createDirectories(tmp.resolve("a/checkpoint-12"));
        assertTrue(run.recognises().test(killedEarly.getParent()));
        Path foreign = Files.createDirectories(tmp.resolve("b/checkpoints"));
        Files.writeString(foreign.resolve("x.txt"), "someone else's");
        assertFalse(run.recognises().test(foreign.getParent()));
    }
}
