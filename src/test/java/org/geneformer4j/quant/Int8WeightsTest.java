package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Per-output-channel absmax int8: the codes bitsandbytes' vector-wise rule gives, and its error bound. */
class Int8WeightsTest {
    @Test
    void codesFollowTheAbsmaxRuleRoundingHalfToEven() {
        try (PointerScope s = new PointerScope()) {
            // row 0: absmax 1, so code = round(127 w); -0.5 -> -63.5 -> -64 (to even), 0.25 -> 31.75 -> 32
            // row 1: absmax 2 (a negative weight), so code = round(63.5 w)
            // row 2: all zero: zero codes and scale, not NaN
            float[] w = {1f, -0.5f, 0.25f, 0f, 0.5f, -2f, 1f, 0.01f, 0f, 0f, 0f, 0f};
            try (Int8Weights q = Int8Weights.quantize(Tensors.floats(w, 3, 4))) {
                long[] codes = Tensors.longArray(q.codes());
                assertArrayEquals(new long[] {127, -64, 32, 0, 32, -127, 64, 1, 0, 0, 0, 0}, codes);
                float[] scales = Tensors.floatArray(q.scales());
                assertEquals(1f / 127, scales[0], 1e-9);
                assertEquals(2f / 127, scales[1], 1e-9);
                assertEquals(0f, scales[2]);
                float[] back = Tensors.floatArray(q.dequantize(org.bytedeco.pytorch.global.torch.ScalarType.Float));
                assertEquals(0f, back[8]);
                assertEquals(-2f, back[5], 1e-7, "a row's largest weight comes back exactly");
            }
        }
    }

    @Test
    void everyWeightWithinHalfAStepOfItsRowsScale() {
        Random r = new Random(3);
        int rows = 64;
        int cols = 300;
        float[] w = new float[rows * cols];
        for (int i = 0; i < w.length; i++) {
            // heavy-tailed rows, as trained weights are: the bound must hold for outliers too
            w[i] = (float) (r.nextGaussian() * 0.02 * (r.nextInt(50) == 0 ? 10 : 1));
        }
        try (PointerScope s = new PointerScope(); Int8Weights q = Int8Weights.quantize(Tensors.floats(w, rows, cols))) {
            float[] back = Tensors.floatArray(q.dequantize(org.bytedeco.pytorch.global.torch.ScalarType.Float));
            double worstRatio = 0;
            for (int i = 0; i < rows; i++) {
                float absmax = 0;
                for (int j = 0; j < cols; j++) {
                    absmax = Math.max(absmax, Math.abs(w[i * cols + j]));
                }
                for (int j = 0; j < cols; j++) {
                    worstRatio = Math.max(worstRatio, Math.abs(back[i * cols + j] - w[i * cols + j]) / (absmax / 254.0));
                }
            }
            assertTrue(worstRatio <= 1.0001, "worst error " + worstRatio + " half-steps");
            assertTrue(worstRatio > 0.9, "random weights reach the bound: " + worstRatio);
            assertEquals(rows * cols + rows * 4L, q.bytes());
        }
    }
}
