package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** Schedules and AdamW against transformers' get_scheduler and torch.optim.AdamW (scripts/fixtures/make_train_fixtures.py). */
class TrainReferenceTest {
    static final JsonNode REF;

    static {
        try {
            REF = new ObjectMapper().readTree(TestData.resource("fixtures/train/reference.json").toFile());
        } catch (java.io.IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Test
    void schedulesGiveTransformersLearningRates() {
        int cases = 0;
        for (JsonNode c : REF.get("schedules")) {
            Schedule s = Schedule.parse(c.get("name").asText());
            long warmup = c.get("warmup").asLong(), total = c.get("total").asLong();
            double peak = c.get("peak").asDouble();
            JsonNode lrs = c.get("lrs");
            for (int step = 0; step < lrs.size(); step++) {
                assertEquals(lrs.get(step).asDouble(), peak * s.factor(step, warmup, total, peak), 1e-15,
                        c.get("name") + " warmup " + warmup + " step " + step);
                cases++;
            }
        }
        assertEquals(4 * 3, REF.get("schedules").size());
        assertEquals(4 * (22 + 22 + 39), cases);
    }

    @Test
    void adamWFollowsTorch() {
        JsonNode a = REF.get("adamw");
        Map<String, Tensor> params = new LinkedHashMap<>();
        try (PointerScope outer = new PointerScope()) {
            for (var it = a.get("start").fields(); it.hasNext(); ) {
                var e = it.next();
                Tensor t = Tensors.floats(floats(e.getValue()), shape(a.get("shapes").get(e.getKey())));
                t.requires_grad_(true);
                params.put(e.getKey(), t);
            }
            try (AdamW opt = new AdamW(params, a.get("weight_decay").asDouble(), 0.9, 0.999, 1e-8)) {
                for (int step = 0; step < a.get("lrs").size(); step++) {
                    try (PointerScope scope = new PointerScope()) {
                        Tensor loss = null;
                        for (Map.Entry<String, Tensor> e : params.entrySet()) {
                            Tensor g = Tensors.floats(floats(a.get("grads").get(step).get(e.getKey())), shape(a.get("shapes").get(e.getKey())));
                            Tensor term = e.getValue().mul(g).sum();
                            loss = loss == null ? term : loss.add(term);
                        }
                        loss.backward();
                        opt.step(a.get("lrs").get(step).asDouble());
                        params.values().forEach(p -> p.grad().zero_());
                    }
                }
                Map<String, HostTensor> state = opt.state();
                for (String k : params.keySet()) {
                    close(a.get("end").get(k), Tensors.floatArray(params.get(k).detach()), k);
                    close(a.get("exp_avg").get(k), state.get("exp_avg." + k).floats(), "exp_avg " + k);
                    close(a.get("exp_avg_sq").get(k), state.get("exp_avg_sq." + k).floats(), "exp_avg_sq " + k);
                }
            }
        }
    }

    @Test
    void noDecayOnBiasesAndLayerNorm() {
        assertEquals(true, AdamW.decays("bert.encoder.layer.0.attention.self.query.weight"));
        assertEquals(true, AdamW.decays("bert.embeddings.word_embeddings.weight"));
        assertEquals(false, AdamW.decays("bert.encoder.layer.0.output.LayerNorm.weight"));
        assertEquals(false, AdamW.decays("classifier.bias"));
    }

    static void close(JsonNode expected, float[] actual, String what) {
        assertEquals(expected.size(), actual.length, what);
        for (int i = 0; i < actual.length; i++) {
            assertEquals(expected.get(i).asDouble(), actual[i], 1e-6 + 1e-5 * Math.abs(expected.get(i).asDouble()), what + "[" + i + "]");
        }
    }

    static float[] floats(JsonNode n) {
        float[] f = new float[n.size()];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) n.get(i).asDouble();
        }
        return f;
    }

    static long[] shape(JsonNode n) {
        long[] s = new long[n.size()];
        for (int i = 0; i < s.length; i++) {
            s[i] = n.get(i).asLong();
        }
        return s;
    }
}
