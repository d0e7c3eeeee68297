package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * The GPU's int8 product ({@link Int8Linears#int8Product}, aten::_int_mm), run here through LibTorch's CPU
 * implementation of the same op: it must equal LLM.int8's arithmetic computed exactly in doubles (per-token codes,
 * integer sums, outlier features in full precision), for inputs shorter than cuBLASLt's 17 rows too.
 */
class Int8ProductTest {
    @Test
    void equalsLlmInt8ArithmeticWithAndWithoutOutliers() {
        for (int rows : new int[] {5, 40}) {
            for (boolean outlier : new boolean[] {false, true}) {
                check(rows, 64, 24, outlier, 11 + rows);
            }
        }
    }

    private static void check(int m, int k, int n, boolean outlier, long seed) {
        Random r = new Random(seed);
        float[] x = new float[m * k];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        if (outlier) {
            x[3 * k + 7] = 9.5f; // feature 7 reaches the threshold in one token: the whole column goes to fp32
        }
        float[] w = new float[n * k];
        float[] bias = new float[n];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) (0.05 * r.nextGaussian());
        }
        for (int i = 0; i < n; i++) {
            bias[i] = (float) r.nextGaussian();
        }
        try (PointerScope scope = new PointerScope()) {
            Int8Weights q = Int8Weights.quantize(Tensors.floats(w, n, k));
            long[] codes = Tensors.longArray(q.codes().to(ScalarType.Long));
            float[] scales = Tensors.floatArray(q.scales());
            float[] got = Tensors.floatArray(Int8Linears.int8Product(Tensors.floats(x, 1, m, k), q, Tensors.floats(bias, n)));
            boolean[] out = new boolean[k];
            for (int i = 0; i < m * k; i++) {
                out[i % k] |= Math.abs(x[i]) >= Int8Linears.OUTLIER_THRESHOLD;
            }
            double[] want = new double[m * n];
            double worst = 0;
            double scale = 0;
            for (int t = 0; t < m; t++) {
                double amax = 0;
                for (int c = 0; c < k; c++) {
                    amax = out[c] ? amax : Math.max(amax, Math.abs(x[t * k + c]));
                }
                float step = (float) amax / 127f;
                for (int o = 0; o < n; o++) {
                    long sum = 0;
                    double full = 0;
                    for (int c = 0; c < k; c++) {
                        if (out[c]) {
                            full += (double) x[t * k + c] * codes[o * k + c] * scales[o];
                        } else {
                            sum += (long) Math.rint(x[t * k + c] / step) * codes[o * k + c];
                        }
                    }
                    want[t * n + o] = (double) sum * step * scales[o] + full + bias[o];
                    worst = Math.max(worst, Math.abs(want[t * n + o] - got[t * n + o]));
                    scale = Math.max(scale, Math.abs(want[t * n + o]));
                }
            }
            assertTrue(worst <= 1e-5 * scale, m + " rows, outlier " + outlier + ": off LLM.int8's arithmetic by " + worst);
            assertArrayEquals(new long[] {1, m, n}, Tensors.shape(Int8Linears.int8Product(Tensors.floats(x, 1, m, k), q,
                    Tensors.floats(bias, n))));
        }
    }
}
