package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * int8 encoder weights inside the model: the same cells through a small random model in fp32 and with int8 linears
 * must give embeddings of per-cell cosine >= 0.999 (the bar for real cells), while actually differing (the
 * int8 kernels ran) and without the fp32 copies of the replaced weights.
 */
class Int8LinearsTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    static BertConfig config() {
        return RandomInit.config(500, 128, 3, 4, 512, 512);
    }

    static List<int[]> cells(int n, long seed) {
        Random r = new Random(seed);
        List<int[]> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[20 + r.nextInt(200)];
            for (int j = 0; j < t.length; j++) {
                t[j] = 4 + r.nextInt(496);
            }
            out.add(t);
        }
        return out;
    }

    /** Mean over each cell's tokens of the last hidden state: upstream's cell embedding. */
    static float[][] embeddings(BertModel m, List<int[]> cells) {
        int h = m.config().hiddenSize();
        float[][] out = new float[cells.size()][h];
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            TokenBatch b = TokenBatch.of(cells, 0);
            float[] x = Tensors.floatArray(b.forward(m).lastHiddenState());
            for (int c = 0; c < cells.size(); c++) {
                for (int j = 0; j < cells.get(c).length; j++) {
                    for (int d = 0; d < h; d++) {
                        out[c][d] += x[(c * b.length() + j) * h + d] / cells.get(c).length;
                    }
                }
            }
        }
        return out;
    }

    static double[] cosines(float[][] a, float[][] b) {
        double[] c = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            c[i] = Fidelity.cosine(a[i], b[i]);
        }
        return c;
    }

    @Test
    void int8EmbeddingsWithinCosine0999OfFp32() {
        BertConfig config = config();
        List<int[]> cells = cells(12, 1);
        float[][] full;
        try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 7), Head.NONE, 0, CPU, ScalarType.Float, 0).model()) {
            full = embeddings(m, cells);
        }
        for (boolean reduceRange : new boolean[] {false, true}) {
            try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 7), Head.NONE, 0, CPU, ScalarType.Float, 0).model()) {
                int before = m.parameters().size();
                Int8Linears q = Int8Linears.of(m, reduceRange);
                m.replaceLinears(q);
                assertEquals(before - 2 * 6 * config.numLayers(), m.parameters().size(), "the fp32 weight and bias of every encoder linear freed");
                assertFalse(m.parameters().containsKey("bert.encoder.layer.0.attention.self.query.weight"));
                float[][] int8 = embeddings(m, cells);
                double[] cos = cosines(full, int8);
                double min = Arrays.stream(cos).min().orElseThrow();
                double maxDiff = 0;
                for (int i = 0; i < full.length; i++) {
                    for (int d = 0; d < full[i].length; d++) {
                        maxDiff = Math.max(maxDiff, Math.abs(full[i][d] - int8[i][d]));
                    }
                }
                System.out.printf("int8 (reduce_range %s): min per-cell cosine %.6f, max |diff| %.2e%n", reduceRange, min, maxDiff);
                assertTrue(min >= 0.999, "reduce_range " + reduceRange + ": min cosine " + min);
                assertTrue(maxDiff > 1e-5, "int8 results equal fp32's: the int8 layers did not run");
            }
        }
    }

    @Test
    void quantizedLinearMatchesDequantizedWeightsOnAnyLeadingShape() {
        BertConfig config = RandomInit.config(100, 64, 1, 4, 128, 64);
        try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 3), Head.NONE, 0, CPU, ScalarType.Float, 0).model();
                PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            String name = "bert.encoder.layer.0.intermediate.dense";
            org.bytedeco.pytorch.Tensor w = m.parameters().get(name + ".weight");
            org.bytedeco.pytorch.Tensor b = m.parameters().get(name + ".bias");
            torch.manual_seed(5);
            org.bytedeco.pytorch.Tensor x = torch.randn(3, 7, 64);
            try (Int8Weights iw = Int8Weights.quantize(w); Int8Linears q = Int8Linears.of(m, false)) {
                org.bytedeco.pytorch.Tensor y = q.apply(name, x, false);
                assertEquals(3, y.size(0));
                assertEquals(7, y.size(1));
                assertEquals(128, y.size(2));
                // Against fp32 arithmetic on the int8 weights: what remains is the activations' 8-bit rounding.
                org.bytedeco.pytorch.Tensor ref = torch.linear(x, iw.dequantize(ScalarType.Float), new org.bytedeco.pytorch.TensorOptional(b));
                double err = y.sub(ref).abs().max().item_double();
                double scale = ref.abs().max().item_double();
                assertTrue(err < 0.02 * scale, "error " + err + " of " + scale);
                assertTrue(err > 0, "no activation rounding at all: not the int8 kernel");
            }
        }
    }
}
