package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.tensor.AtenOps;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.tensor.Tensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.engine.BatchPlan;
import org.geneformer4j.engine.TokenBatch;
import org.junit.jupiter.api.Test;

/**
 * Packed batches (cells end to end, no padding) against the padded path and against each cell alone: every real
 * token's hidden state and every head's output within 1e-5. The CPU runs the per-cell reference attention; the
 * GPU kernels are called with the arguments checked here against LibTorch's own schemas.
 */
class PackedForwardTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    /** Cells of very different lengths (1 to 300 tokens) with random genes. */
    static List<int[]> cells(int vocab, long seed) {
        Random r = new Random(seed);
        List<int[]> cells = new ArrayList<>();
        for (int len : new int[] {37, 1, 300, 12, 299, 2, 150}) {
            int[] t = new int[len];
            for (int j = 0; j < len; j++) {
                t[j] = 4 + r.nextInt(vocab - 4);
            }
            cells.add(t);
        }
        return cells;
    }

    @Test
    void packedEqualsPaddedEqualsPerCellForEveryHead() {
        for (Head head : new Head[] {Head.NONE, Head.MLM, Head.SEQUENCE_CLASSIFICATION, Head.TOKEN_CLASSIFICATION}) {
            try (BertModel m = BertModel.load(Checkpoint.load(TestData.resource("fixtures/model/tiny_v2")), head, 3, CPU,
                    ScalarType.Float, 5).model(); PointerScope scope = new PointerScope()) {
                List<int[]> cells = cells(m.config().vocabSize(), 1);
                int layers = m.config().numLayers();
                int[] lengths = cells.stream().mapToInt(c -> c.length).toArray();
                PackedLayout layout = PackedLayout.of(lengths);
                long[] ids = new long[(int) layout.tokens()];
                int at = 0;
                for (int[] c : cells) {
                    for (int t : c) {
                        ids[at++] = t;
                    }
                }
                BertOutput packed = m.forwardPacked(Tensors.longs(ids, ids.length), Tensors.longs(layout.positions(), ids.length),
                        layout, layout.cumulative(CPU), layers);
                float[] hp = Tensors.floatArray(packed.lastHiddenState());
                TokenBatch tb = TokenBatch.of(cells, 0);
                BertOutput padded = tb.forward(m);
                float[] hb = Tensors.floatArray(padded.lastHiddenState());
                int h = m.config().hiddenSize();
                double worst = 0;
                for (int c = 0; c < cells.size(); c++) {
                    BertOutput alone = TokenBatch.of(List.of(cells.get(c)), 0).forward(m);
                    float[] ha = Tensors.floatArray(alone.lastHiddenState());
                    for (int j = 0; j < lengths[c]; j++) {
                        for (int d = 0; d < h; d++) {
                            float a = ha[j * h + d];
                            float p = hp[(int) ((layout.offsets()[c] + j) * h + d)];
                            float b = hb[(c * tb.length() + j) * h + d];
                            worst = Math.max(worst, Math.max(Math.abs(a - p), Math.abs(a - b)));
                        }
                    }
                    if (head == Head.SEQUENCE_CLASSIFICATION) {
                        assertClose(Tensors.floatArray(alone.logits()), Tensors.floatArray(packed.logits().select(0, c)), head + " cell " + c);
                    } else if (head != Head.NONE) {
                        float[] la = Tensors.floatArray(alone.logits());
                        float[] lp = Tensors.floatArray(packed.logits().narrow(0, layout.offsets()[c], lengths[c]));
                        assertClose(la, lp, head + " cell " + c);
                    }
                }
                assertTrue(worst <= 1e-5, head + ": max |diff| of hidden states " + worst);
                assertEquals(head == Head.NONE, packed.logits() == null);
            }
        }
    }

    static void assertClose(float[] e, float[] a, String what) {
        assertEquals(e.length, a.length, what);
        for (int i = 0; i < e.length; i++) {
            assertEquals(e[i], a[i], 1e-5, what + " [" + i + "]");
        }
    }

    @Test
    void planFillsByTokensLongestFirst() {
        int[] lengths = {10, 500, 20, 500, 300, 5};
        List<int[]> plan = BatchPlan.plan(lengths, 100, 800, true);
        assertArrayEquals(new int[] {1}, plan.get(0), "500 + 500 is over 800 tokens");
        assertArrayEquals(new int[] {3, 4}, plan.get(1));
        assertArrayEquals(new int[] {2, 0, 5}, plan.get(2));
        assertEquals(3, BatchPlan.plan(lengths, 2, 10_000, true).size(), "at most 2 cells each");
        PackedLayout l = PackedLayout.of(new int[] {3, 1, 2});
        assertArrayEquals(new long[] {0, 3, 4, 6}, l.offsets());
        assertArrayEquals(new long[] {0, 1, 2, 0, 0, 1}, l.positions());
        assertEquals(3, l.maxLength());
    }

    /** The boxed calls put every argument where LibTorch's schema expects it (a renamed or moved one fails here). */
    @Test
    void varlenKernelArgumentsMatchLibTorchSchemas() {
        int[] flash = AtenOps.argumentPositions(PackedAttention.FLASH, PackedAttention.FLASH_ARGS);
        int[] efficient = AtenOps.argumentPositions(PackedAttention.EFFICIENT, PackedAttention.EFFICIENT_ARGS);
        for (int i = 0; i < flash.length; i++) {
            assertEquals(i, flash[i], PackedAttention.FLASH_ARGS[i]);
        }
        for (int i = 0; i < efficient.length; i++) {
            assertEquals(i, efficient[i], PackedAttention.EFFICIENT_ARGS[i]);
        }
        assertEquals(-1, AtenOps.argumentPositions(PackedAttention.FLASH, "no_such_argument")[0]);
    }

    /** Also batch after batch, each in its own scope, as embed calls it: the cached op handle outlives the scopes. */
    @Test
    void anOpCalledByNameComputesWhatItsJavaMethodDoes() {
        for (int batch = 0; batch < 3; batch++) {
            try (PointerScope scope = new PointerScope()) {
                Tensor a = torch.arange(new Scalar(6)).to(ScalarType.Float);
                Tensor b = torch.ones_like(a);
                Tensor sum = AtenOps.call("aten::mul.Tensor", new IValue(a), new IValue(b.mul(new Scalar(batch))))
                        .get(0).toTensor();
                assertArrayEquals(new float[] {0, batch, 2 * batch, 3 * batch, 4 * batch, 5 * batch}, Tensors.floatArray(sum));
            }
        }
    }

    /**
     * Packed training on GPUs backpropagates through the varlen kernels called by name: the boxed call must go through
     * the autograd key, as a call from Python does. Checked here on an op with a CPU kernel: d(sum(a * b))/da = b.
     */
    @Test
    void anOpCalledByNameRecordsItsGradient() {
        try (PointerScope scope = new PointerScope()) {
            Tensor a = torch.arange(new Scalar(4)).to(ScalarType.Float).requires_grad_(true);
            Tensor b = torch.arange(new Scalar(4)).to(ScalarType.Float).add(new Scalar(2));
            Tensor prod = AtenOps.call("aten::mul.Tensor", new IValue(a), new IValue(b)).get(0).toTensor();
            assertTrue(prod.requires_grad(), "the output carries a gradient function");
            prod.sum().backward();
            assertArrayEquals(new float[] {2, 3, 4, 5}, Tensors.floatArray(a.grad()));
        }
    }

    @Test
    void halfPrecisionIsRecognisedWhateverInstanceTheEnumComesBackAs() {
        try (PointerScope scope = new PointerScope()) {
            Tensor x = torch.ones(new long[] {2, 2});
            assertTrue(PackedAttention.halfPrecision(x.to(ScalarType.BFloat16)));
            assertTrue(PackedAttention.halfPrecision(x.to(ScalarType.Half)));
            assertTrue(!PackedAttention.halfPrecision(x));
        }
    }
}
