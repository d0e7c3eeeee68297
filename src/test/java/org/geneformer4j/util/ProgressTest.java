package org.geneformer4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** What a batch job's log says of a run's progress, on a clock the test moves. */
class ProgressTest {
    @Test
    void aResumedRunsRateAndEtaCountOnlyItsOwnWorkAndTokensRideAlong() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "pretrain", "steps", 200, false, 0,
                () -> now[0]).also("tokens");
        p.resumedAt(100); // half the run was done by an earlier process, in no time here
        now[0] = 4_000_000_000L;
        p.advance(2, 10_000);
        p.finish();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        // 2 steps in 4 s: 0.5 steps/s, 98 steps left: 196 s (counting the 100 resumed steps would say about 4 s)
        assertEquals("pretrain: 102/200 (51%) steps, 0.5 steps/s, 2,500 tokens/s, ETA 196 s", lines[0]);
        assertEquals("pretrain: 102/200 (51%) steps, 0.5 steps/s, 2,500 tokens/s, 4.0 s", lines[1]);
    }

    @Test
    void withoutASecondCountOnlyTheMainRateIsShown() {
        long[] now = {0};
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Progress p = new Progress(new PrintStream(bytes, true, StandardCharsets.UTF_8), "embed", "cells", 0, false, 0, () -> now[0]);
        now[0] = 2_000_000_000L;
        p.advance(3000);
        assertEquals("embed: 3000 cells, 1,500 cells/s\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
