package org.geneformer4j.multitask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The multi-task model against a PyTorch reference of the same architecture with the same weights
 * (scripts/fixtures/make_multitask_fixtures.py): encoder output, pooled vectors, each task's logits, the weighted loss
 * with a cell unlabelled for one task, and every parameter's gradient, within 1e-5, for both poolings. The fixture
 * asserts that unmasked attention pooling, or counting the unlabelled cell, would miss that tolerance by far.
 */
class MultiTaskParityTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);
    static final double TOL = 1e-5;
    static final double[] WEIGHTS = {0.7, 1.3};

    static List<MultiTaskCells.TaskLabels> tasks() {
        return List.of(new MultiTaskCells.TaskLabels("a", List.of("a0", "a1", "a2")), new MultiTaskCells.TaskLabels("b", List.of("b0", "b1")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"attention", "cls"})
    void forwardLossAndGradientsMatchThePyTorchReference(String pooling) {
        Path dir = TestData.resource("fixtures/multitask");
        Map<String, HostTensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        Checkpoint ckpt = Checkpoint.load(dir.resolve("model"));
        Map<String, HostTensor> weights = new LinkedHashMap<>(ckpt.tensors());
        weights.putAll(SafeTensors.read(dir.resolve("heads.safetensors")));
        try (MultiTaskModel model = MultiTaskModel.create(ckpt, tasks(), MultiTaskModel.Pooling.parse(pooling), 0.0, CPU, ScalarType.Float, 7);
                PointerScope scope = new PointerScope()) {
            model.encoder().loadParameters(weights);
            Map<String, Tensor> params = model.encoder().parameters();
            params.values().forEach(p -> p.requires_grad_(true));
            model.encoder().train(true); // dropout is 0 in the fixture: train mode is deterministic
            Tensor ids = Tensors.toTorch(expected.get("input_ids"), CPU, ScalarType.Long);
            Tensor mask = Tensors.toTorch(expected.get("attention_mask"), CPU, ScalarType.Long);
            MultiTaskModel.Output out = model.forward(ids, mask);
            close(expected.get(pooling + ".hidden").floats(), Tensors.floatArray(out.hidden()), "encoder output");
            close(expected.get(pooling + ".pooled").floats(), Tensors.floatArray(out.pooled()), "pooled");
            for (int t = 0; t < 2; t++) {
                close(expected.get(pooling + ".logits." + t).floats(), Tensors.floatArray(out.logits().get(t)), "logits of task " + t);
            }
            int[][] labels = new int[2][];
            for (int t = 0; t < 2; t++) {
                long[] y = expected.get("labels." + t).longs();
                labels[t] = new int[y.length];
                for (int r = 0; r < y.length; r++) {
                    labels[t][r] = y[r] == -100 ? -1 : (int) y[r];
                }
            }
            Tensor loss = model.loss(out.logits(), labels, WEIGHTS);
            assertEquals(expected.get(pooling + ".loss").floats()[0], loss.item_double(), TOL, "loss");
            loss.backward();
            List<String> compared = new ArrayList<>();
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                HostTensor g = expected.get(pooling + ".grad." + e.getKey());
                if (g == null) {
                    continue;
                }
                close(g.floats(), Tensors.floatArray(e.getValue().grad()), "gradient of " + e.getKey());
                compared.add(e.getKey());
            }
            long inReference = expected.keySet().stream().filter(k -> k.startsWith(pooling + ".grad.")).count();
            assertEquals(inReference, compared.size(), "every reference parameter has its twin: " + compared);
            assertEquals(params.size(), compared.size(), "and the model has no other parameter");
        }
    }

    static void close(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double max = 0;
        for (int i = 0; i < actual.length; i++) {
            max = Math.max(max, Math.abs(expected[i] - actual[i]));
        }
        assertTrue(max <= TOL, what + ": max |diff| " + max + " > " + TOL);
    }
}
