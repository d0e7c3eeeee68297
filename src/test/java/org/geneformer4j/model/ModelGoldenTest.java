package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.engine.Pooling;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream goldens (../shared/reference/goldens/model, too big to commit; skipped without ../shared): a tiny
 * random BertForMaskedLM run by transformers on the tokenizer goldens' cells. Hidden states, cell and CLS embeddings
 * must agree within 1e-5, logits within 1e-4.
 */
class ModelGoldenTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    @ParameterizedTest
    @ValueSource(strings = {"v1_tiny", "v2_tiny"})
    void reproducesTransformersOutputs(String name) {
        Path dir = TestData.sharedModelGolden(name).orElse(null);
        Assumptions.assumeTrue(dir != null, "../shared/reference/goldens/model is absent");
        Map<String, HostTensor> expected = SafeTensors.read(dir.resolve("expected_outputs.safetensors"));
        boolean v2 = name.startsWith("v2");
        try (BertModel model = BertModel.load(Checkpoint.load(dir), Head.MLM, 0, CPU, ScalarType.Float, 0).model();
                PointerScope scope = new PointerScope()) {
            HostTensor ids = expected.get("input_ids");
            Tensor inputIds = Tensors.toTorch(ids, CPU, ScalarType.Long);
            Tensor mask = Tensors.toTorch(expected.get("attention_mask"), CPU, ScalarType.Long);
            Tensor lengths = Tensors.toTorch(expected.get("lengths"), CPU, ScalarType.Long);
            BertOutput out = model.forward(inputIds, mask, true, false);
            assertEquals(3, out.hiddenStates().size());
            long[] lens = expected.get("lengths").longs();
            for (int i = 0; i < 3; i++) {
                assertClose(expected.get("hidden_states." + i), out.hiddenStates().get(i), lens, 1e-5,
                        name + " hidden_states." + i);
            }
            Tensor logits8 = out.logits().narrow(1, 0, 8);
            assertClose(expected.get("mlm_logits_first8"), logits8, null, 1e-4, name + " logits");
            // upstream emb_layer -1 = hidden_states[L-1], 0 = hidden_states[L]
            for (int layer : new int[] {-1, 0}) {
                Tensor h = out.hiddenStates().get(2 + layer);
                assertClose(expected.get("cell_emb.layer" + layer), Pooling.mean(h, lengths, v2, v2), null, 1e-5,
                        name + " cell_emb " + layer);
                if (v2) {
                    assertClose(expected.get("cls_emb.layer" + layer), Pooling.cls(h), null, 1e-5, name + " cls " + layer);
                }
            }
        }
    }

    /** Compares element-wise; when {@code lengths} is given, padded positions (whose values are arbitrary) are skipped. */
    static void assertClose(HostTensor expected, Tensor actual, long[] lengths, double tol, String what) {
        float[] e = expected.floats();
        float[] a = Tensors.floatArray(actual);
        assertEquals(e.length, a.length, what + " size");
        long[] shape = expected.shape();
        long perRow = e.length / shape[0];
        long perPos = shape.length == 3 ? shape[2] : perRow;
        double max = 0;
        for (int i = 0; i < e.length; i++) {
            if (lengths != null && (i % perRow) / perPos >= lengths[(int) (i / perRow)]) {
                continue;
            }
            max = Math.max(max, Math.abs(e[i] - a[i]));
        }
        assertTrue(max <= tol, what + ": max |diff| " + max + " > " + tol);
    }
}
