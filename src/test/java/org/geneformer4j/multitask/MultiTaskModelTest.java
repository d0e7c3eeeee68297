package org.geneformer4j.multitask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.cli.Main;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The multi-task model starts from the pretrained encoder (upstream's starts from random weights): on a checkpoint
 * written by {@code geneformer models init}, its encoder weights are the checkpoint's bit for bit, its first forward
 * is the pretrained encoder's, its pooled vectors are the first token or the attention-weighted tokens (padding
 * weighing nothing), and a checkpoint without the encoder is refused rather than filled with random weights.
 */
class MultiTaskModelTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);
    static final List<MultiTaskCells.TaskLabels> TASKS = List.of(new MultiTaskCells.TaskLabels("x", List.of("p", "q", "r")),
            new MultiTaskCells.TaskLabels("y", List.of("s", "t")));

    @TempDir
    static Path tmp;

    static Checkpoint pretrained;

    @BeforeAll
    static void init() {
        Path dir = tmp.resolve("init");
        assertEquals(0, Main.run("models", "init", dir.toString(), "--model-version", "V2", "--layers", "2", "--hidden", "16", "--heads", "2",
                "--intermediate", "32", "--max-positions", "64", "--dropout", "0.1", "--seed", "3"));
        pretrained = Checkpoint.load(dir);
    }

    static final List<int[]> CELLS = List.of(new int[] {2, 500, 77, 1201, 9, 3}, new int[] {2, 1300, 45, 3}, new int[] {2, 19, 3});

    @Test
    void theEncoderIsThePretrainedOneAndTheFirstForwardIsItsOutput() {
        TokenBatch b = TokenBatch.of(CELLS, 0);
        for (MultiTaskModel.Pooling pooling : MultiTaskModel.Pooling.values()) {
            try (MultiTaskModel m = MultiTaskModel.create(pretrained, TASKS, pooling, 0.3, CPU, ScalarType.Float, 11);
                    BertModel plain = BertModel.load(pretrained, Head.NONE, 0, CPU, ScalarType.Float, 0).model();
                    PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                Map<String, HostTensor> host = m.encoder().hostParameters();
                int encoderTensors = 0;
                for (Map.Entry<String, HostTensor> e : host.entrySet()) {
                    if (e.getKey().startsWith("bert.")) {
                        assertArrayEquals(pretrained.tensors().get(e.getKey()).floats(), e.getValue().floats(), e.getKey() + " is the checkpoint's");
                        encoderTensors++;
                    }
                }
                assertEquals(plain.parameters().size(), encoderTensors, "every encoder tensor checked");
                m.encoder().train(false);
                MultiTaskModel.Output out = m.forward(b.idsTensor(CPU), b.maskTensor(CPU));
                float[] hidden = Tensors.floatArray(out.hidden());
                assertArrayEquals(Tensors.floatArray(plain.forward(b.idsTensor(CPU), b.maskTensor(CPU), false, false).lastHiddenState()), hidden,
                        "the first forward is the pretrained encoder's output");
                float[] pooled = Tensors.floatArray(out.pooled());
                float[] expected = pooling == MultiTaskModel.Pooling.CLS ? firstTokens(hidden, b) : attentionPool(hidden, b,
                        Tensors.floatArray(m.encoder().parameters().get(MultiTaskModel.POOL)));
                for (int i = 0; i < pooled.length; i++) {
                    assertEquals(expected[i], pooled[i], 1e-5, pooling + " pooled element " + i);
                }
            }
        }
    }

    /** The pooled vector's weights over the real tokens, computed here in double precision: padding takes no share. */
    static float[] attentionPool(float[] hidden, TokenBatch b, float[] w) {
        int h = w.length;
        float[] out = new float[b.rows() * h];
        for (int r = 0; r < b.rows(); r++) {
            int n = CELLS.get(r).length;
            double[] s = new double[n];
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < h; k++) {
                    s[j] += hidden[(r * b.length() + j) * h + k] * w[k];
                }
                max = Math.max(max, s[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) {
                s[j] = Math.exp(s[j] - max);
                sum += s[j];
            }
            for (int j = 0; j < n; j++) {
                for (int k = 0; k < h; k++) {
                    out[r * h + k] += (float) (s[j] / sum * hidden[(r * b.length() + j) * h + k]);
                }
            }
        }
        return out;
    }

    static float[] firstTokens(float[] hidden, TokenBatch b) {
        int h = hidden.length / (b.rows() * b.length());
        float[] out = new float[b.rows() * h];
        for (int r = 0; r < b.rows(); r++) {
            System.arraycopy(hidden, r * b.length() * h, out, r * h, h);
        }
        return out;
    }

    @Test
    void aCheckpointWithoutTheEncoderIsRefusedNotFilledWithRandomWeights() throws Exception {
        Map<String, HostTensor> partial = new LinkedHashMap<>(pretrained.tensors());
        partial.remove("bert.encoder.layer.1.output.dense.weight");
        Path dir = tmp.resolve("partial");
        Files.createDirectories(dir);
        Files.copy(pretrained.directory().resolve("config.json"), dir.resolve("config.json"));
        SafeTensors.write(dir.resolve(Checkpoint.SAFETENSORS), partial, Map.of("format", "pt"));
        UserException e = assertThrows(UserException.class,
                () -> MultiTaskModel.create(Checkpoint.load(dir), TASKS, MultiTaskModel.Pooling.ATTENTION, 0.1, CPU, ScalarType.Float, 1));
        assertTrue(e.getMessage().contains("lacks") && e.getMessage().contains("layer.1.output.dense.weight"), e.getMessage());
    }

    @Test
    void headsAreNewSeededAndAttachedUnderUpstreamsNames() {
        try (MultiTaskModel a = MultiTaskModel.create(pretrained, TASKS, MultiTaskModel.Pooling.ATTENTION, 0.1, CPU, ScalarType.Float, 5);
                MultiTaskModel b = MultiTaskModel.create(pretrained, TASKS, MultiTaskModel.Pooling.ATTENTION, 0.1, CPU, ScalarType.Float, 5);
                MultiTaskModel c = MultiTaskModel.create(pretrained, TASKS, MultiTaskModel.Pooling.CLS, 0.1, CPU, ScalarType.Float, 6)) {
            Map<String, HostTensor> ha = a.encoder().hostParameters(), hb = b.encoder().hostParameters();
            for (String k : List.of(MultiTaskModel.POOL, "classification_heads.0.weight", "classification_heads.1.weight")) {
                assertArrayEquals(ha.get(k).floats(), hb.get(k).floats(), k + ": the same seed, the same heads");
            }
            assertArrayEquals(new long[] {3, 16}, ha.get("classification_heads.0.weight").shape());
            assertArrayEquals(new long[] {16, 1}, ha.get(MultiTaskModel.POOL).shape());
            assertArrayEquals(new float[2], ha.get("classification_heads.1.bias").floats(), "biases start at 0, as upstream");
            float bound = (float) Math.sqrt(6.0 / (3 + 16));
            float max = 0;
            for (float v : ha.get("classification_heads.0.weight").floats()) {
                max = Math.max(max, Math.abs(v));
            }
            assertTrue(max <= bound && max > bound * 0.5, "xavier-uniform within +-" + bound + ": " + max);
            assertTrue(!c.encoder().parameters().containsKey(MultiTaskModel.POOL), "first-token pooling learns no vector");
        }
    }

    @Test
    void theLossSkipsUnlabelledCellsAndTasksWithoutLabels() {
        try (PointerScope scope = new PointerScope()) {
            Tensor l0 = Tensors.floats(new float[] {2, 0, 0, 0, 1, 0}, 2, 3);
            Tensor l1 = Tensors.floats(new float[] {0, 3, 1, 1}, 2, 2);
            List<Tensor> logits = List.of(l0, l1);
            try (MultiTaskModel m = MultiTaskModel.create(pretrained, TASKS, MultiTaskModel.Pooling.CLS, 0, CPU, ScalarType.Float, 0)) {
                double ce00 = -Math.log(Math.exp(2) / (Math.exp(2) + 2));
                double ce11 = -Math.log(Math.exp(1) / (Math.exp(1) + 2));
                double both = m.loss(logits, new int[][] {{0, 1}, {-1, -1}}, new double[] {2, 5}).item_double();
                assertEquals(2 * (ce00 + ce11) / 2, both, 1e-6, "task 1 has no label in the batch: no term, no NaN");
                double one = m.loss(logits, new int[][] {{0, -1}, {-1, 0}}, new double[] {2, 5}).item_double();
                double ceB = -Math.log(Math.exp(1) / (Math.exp(1) + Math.exp(1)));
                assertEquals(2 * ce00 + 5 * ceB, one, 1e-6, "each task's mean over its labelled cells only");
            }
        }
    }
}
