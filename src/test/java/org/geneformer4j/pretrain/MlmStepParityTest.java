package org.geneformer4j.pretrain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.model.Head;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.train.AdamW;
import org.junit.jupiter.api.Test;

/**
 * One masked-gene-modelling step against transformers + torch (scripts/fixtures/make_mlm_step_fixtures.py): the
 * MLM loss of a masked batch, every parameter's gradient, the clipped gradient norm, every weight after one AdamW
 * step with the Trainer's decay grouping, and the loss after it, all within 1e-5.
 */
class MlmStepParityTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);
    static final double TOL = 1e-5;

    @Test
    void oneStepMatchesTransformers() throws Exception {
        Path dir = TestData.resource("fixtures/pretrain/mlm_step");
        JsonNode step = new ObjectMapper().readTree(dir.resolve("step.json").toFile());
        Map<String, HostTensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        Set<String> noise = new HashSet<>();
        step.get("noise_gradients").forEach(n -> noise.add(n.asText()));
        long[] shape = expected.get("input_ids").shape();
        long[] labels = expected.get("labels").longs();
        int selected = 0;
        for (long l : labels) {
            selected += l != MlmMasking.IGNORE_INDEX ? 1 : 0;
        }
        MlmMasking.Batch batch = new MlmMasking.Batch((int) shape[0], (int) shape[1], expected.get("input_ids").longs(),
                expected.get("attention_mask").longs(), labels, selected);
        double lr = step.get("lr").asDouble();
        try (BertModel model = BertModel.load(Checkpoint.load(dir.resolve("model")), Head.MLM, 0, CPU, ScalarType.Float, 0)
                .model(); PointerScope scope = new PointerScope()) {
            Map<String, Tensor> params = new LinkedHashMap<>(model.parameters());
            assertEquals(step.get("decay").size() + step.get("no_decay").size(), params.size(), "the same parameters");
            Map<String, float[]> before = new LinkedHashMap<>();
            params.forEach((k, p) -> {
                p.requires_grad_(true);
                before.put(k, Tensors.floatArray(p.detach()));
            });
            model.train(true); // dropout is 0 in the fixture's config: train mode is deterministic
            Tensor loss = MlmLoss.of(model, batch);
            assertEquals(expected.get("loss").floats()[0], loss.item_double(), TOL, "loss");
            loss.backward();
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                close(expected.get("grad." + e.getKey()).floats(), Tensors.floatArray(e.getValue().grad()), TOL,
                        "grad " + e.getKey());
            }
            double norm = torch.clip_grad_norm_(new TensorVector(params.values().toArray(new Tensor[0])),
                    step.get("max_grad_norm").asDouble());
            assertEquals(expected.get("grad_norm").floats()[0], norm, 1e-4, "gradient norm before clipping");
            JsonNode betas = step.get("betas");
            try (AdamW opt = new AdamW(params, step.get("weight_decay").asDouble(), betas.get(0).asDouble(),
                    betas.get(1).asDouble(), step.get("eps").asDouble())) {
                opt.step(lr);
            }
            int compared = 0;
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                float[] after = Tensors.floatArray(e.getValue().detach());
                if (noise.contains(e.getKey())) {
                    // gradient 0 in exact arithmetic, float noise in practice: AdamW moves each element by at most lr
                    float[] b = before.get(e.getKey());
                    for (int i = 0; i < after.length; i++) {
                        assertTrue(Math.abs(after[i] - b[i]) <= lr * 1.0001, "step of " + e.getKey() + " bounded by lr");
                    }
                    continue;
                }
                close(expected.get("after." + e.getKey()).floats(), after, TOL, "after step " + e.getKey());
                compared++;
            }
            assertEquals(params.size() - noise.size(), compared);
            model.train(false);
            try (NoGradGuard g = new NoGradGuard()) {
                assertEquals(expected.get("loss_after").floats()[0], MlmLoss.of(model, batch).item_double(), TOL,
                        "loss after the step");
            }
        }
    }

    static void close(float[] expected, float[] actual, double tol, String what) {
        assertEquals(expected.length, actual.length, what + " size");
        double max = 0;
        int at = -1;
        for (int i = 0; i < actual.length; i++) {
            double d = Math.abs(expected[i] - actual[i]);
            if (d > max) {
                max = d;
                at = i;
            }
        }
        assertTrue(max <= tol, what + ": max |diff| " + max + " at " + at + " > " + tol);
    }

    /**
     * The loss in chunks of a few positions (as a V1-sized vocabulary makes it, ~250 positions a chunk) gives the
     * one-chunk loss and gradients, and transformers' loss.
     */
    @Test
    void theLossInChunksIsTheLossInOne() throws Exception {
        Path dir = TestData.resource("fixtures/pretrain/mlm_step");
        Map<String, HostTensor> expected = SafeTensors.read(dir.resolve("expected.safetensors"));
        long[] shape = expected.get("input_ids").shape();
        long[] labels = expected.get("labels").longs();
        int selected = 0;
        for (long l : labels) {
            selected += l != MlmMasking.IGNORE_INDEX ? 1 : 0;
        }
        assertTrue(selected > 6, "the fixture masks " + selected + " positions");
        MlmMasking.Batch batch = new MlmMasking.Batch((int) shape[0], (int) shape[1], expected.get("input_ids").longs(),
                expected.get("attention_mask").longs(), labels, selected);
        try (BertModel model = BertModel.load(Checkpoint.load(dir.resolve("model")), Head.MLM, 0, CPU, ScalarType.Float, 0)
                .model(); PointerScope scope = new PointerScope()) {
            model.train(true);
            model.parameters().values().forEach(p -> p.requires_grad_(true));
            Map<String, float[]> grads = new LinkedHashMap<>();
            double[] losses = new double[2];
            long[] correct = new long[2];
            long[] chunks = {1_000_000, 3};
            for (int c = 0; c < 2; c++) {
                MlmLoss.Predicted p = MlmLoss.Predicted.of(model, batch);
                Tensor loss = p.loss(chunks[c]);
                losses[c] = loss.item_double();
                loss.backward();
                for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                    float[] g = Tensors.floatArray(e.getValue().grad());
                    if (c == 0) {
                        grads.put(e.getKey(), g);
                    } else {
                        close(grads.get(e.getKey()), g, 1e-6, "grad " + e.getKey() + " in chunks of 3");
                    }
                    e.getValue().grad().zero_();
                }
                correct[c] = p.correct();
            }
            assertEquals(losses[0], losses[1], 1e-6 * losses[0], "loss in chunks of 3");
            assertEquals(expected.get("loss").floats()[0], losses[1], TOL, "chunked loss vs transformers");
            assertEquals(correct[0], correct[1]);
        }
    }
}
