package org.geneformer4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

class InputStagingTest {
    @Test
    void stagedTensorsHoldTheBatchAndBuffersAreReused() {
        LibTorch.init();
        int[][] shapes = {{16, 120}, {16, 300}, {7, 33}, {16, 120}};
        try (InputStaging staging = new InputStaging(new Device("cpu"))) {
            long afterFirstRound = -1;
            for (int round = 0; round < 10; round++) {
                for (int[] sh : shapes) {
                    long[] ids = new long[sh[0] * sh[1]], mask = new long[ids.length];
                    for (int i = 0; i < ids.length; i++) {
                        ids[i] = (i * 31L + round) % 20000;
                        mask[i] = i % 3 == 0 ? 0 : 1;
                    }
                    InputStaging.Staged s = null;
                    try (PointerScope scope = new PointerScope()) {
                        s = staging.stage(ids, mask, sh[0], sh[1]);
                        assertArrayEquals(ids, Tensors.longArray(s.ids()));
                        assertArrayEquals(mask, Tensors.longArray(s.mask()));
                        assertEquals(sh[1], s.ids().size(1));
                    } finally {
                        staging.release(s);
                    }
                }
                if (round == 0) {
                    afterFirstRound = staging.allocations();
                }
            }
            assertEquals(afterFirstRound, staging.allocations(), "steady state: nothing allocated after the first round");
            assertEquals(6, afterFirstRound, "ids and mask for each of three size classes");
        }
    }

    @Test
    void aBufferStillLentWhenTheStagingClosesIsReported() {
        LibTorch.init();
        InputStaging staging = new InputStaging(new Device("cpu"));
        InputStaging.Staged kept = staging.stage(new long[] {1, 2, 3}, new long[] {1, 1, 1}, 1, 3);
        staging.release(staging.stage(new long[] {4, 5}, new long[] {1, 1}, 1, 2));
        IllegalStateException e = assertThrows(IllegalStateException.class, staging::close);
        assertTrue(e.getMessage().startsWith("2 input buffer(s) still in use"), e.getMessage());
        assertEquals(3, kept.ids().numel(), "the batch's own tensors were not touched by the report");
    }
}
