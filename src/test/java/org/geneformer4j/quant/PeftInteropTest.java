package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.FixtureWeights;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adapters peft wrote over an NF4 base (fixtures/quant/peft, scripts/fixtures/make_peft_fixtures.py) give peft's
 * logits within 1e-4 in the Java model; the adapter Java writes back holds the same tensors under the same names
 * with the LoraConfig fields peft reads, and reads back to the same logits.
 */
class PeftInteropTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);
    static final Path DIR = TestData.resource("fixtures/quant/peft");
    static final Map<String, HostTensor> EXPECTED = SafeTensors.read(DIR.resolve("expected.safetensors"));

    @TempDir
    Path tmp;

    static Checkpoint base() {
        BertConfig config = BertConfig.read(DIR.resolve("base/config.json"));
        return new Checkpoint(DIR.resolve("base"), config, FixtureWeights.bertForMaskedLm(config), DIR.resolve("base/model.safetensors"));
    }

    static BertModel model(String kind) {
        return kind.equals("seq") ? BertModel.load(base(), Head.SEQUENCE_CLASSIFICATION, 3, CPU, ScalarType.Float, 1).model()
                : BertModel.load(base(), Head.TOKEN_CLASSIFICATION, 4, CPU, ScalarType.Float, 1).model();
    }

    static float[] logits(BertModel m) {
        m.train(false);
        long[] shape = EXPECTED.get("input_ids").shape();
        try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return Tensors.floatArray(m.forward(Tensors.longs(EXPECTED.get("input_ids").longs(), shape),
                    Tensors.longs(EXPECTED.get("attention_mask").longs(), shape), false, false).logits());
        }
    }

    static double maxDiff(float[] a, float[] b) {
        assertEquals(a.length, b.length);
        double d = 0;
        for (int i = 0; i < a.length; i++) {
            d = Math.max(d, Math.abs(a[i] - b[i]));
        }
        return d;
    }

    @Test
    void adaptersPeftWroteGivePeftsLogitsOverTheNf4Base() {
        for (String kind : new String[] {"seq", "token"}) {
            float[] expected = EXPECTED.get(kind + ".logits").floats();
            try (BertModel m = model(kind)) {
                PeftAdapter.apply(m, PeftAdapter.read(DIR.resolve(kind)), Quantization.NF4);
                double d = maxDiff(expected, logits(m));
                System.out.printf("peft %s adapter over the NF4 base: max |logit difference| %.2e%n", kind, d);
                assertTrue(d <= 1e-4, kind + ": max |logit difference| " + d);
            }
            // the same adapter over full-precision weights: peft's logits are those of the NF4 base, not these
            try (BertModel m = model(kind)) {
                PeftAdapter.apply(m, PeftAdapter.read(DIR.resolve(kind)), Quantization.NONE);
                assertTrue(maxDiff(expected, logits(m)) > 1e-3, kind + ": NF4 made no difference");
            }
        }
    }

    @Test
    void theAdapterJavaWritesIsTheOnePeftWroteAndReadsBack() throws Exception {
        ObjectMapper json = new ObjectMapper();
        for (String kind : new String[] {"seq", "token"}) {
            Path ours = tmp.resolve(kind);
            float[] before;
            try (BertModel m = model(kind)) {
                LoraLinears lora = PeftAdapter.apply(m, PeftAdapter.read(DIR.resolve(kind)), Quantization.NF4);
                before = logits(m);
                PeftAdapter.write(ours, m, lora, "/models/base");
            }
            Map<String, HostTensor> peft = SafeTensors.read(DIR.resolve(kind).resolve(PeftAdapter.WEIGHTS));
            Map<String, HostTensor> java = SafeTensors.read(ours.resolve(PeftAdapter.WEIGHTS));
            assertEquals(peft.keySet(), java.keySet(), kind + ": tensor names");
            for (String k : peft.keySet()) {
                assertArrayEquals(peft.get(k).shape(), java.get(k).shape(), k);
                assertArrayEquals(peft.get(k).floats(), java.get(k).floats(), k);
            }
            JsonNode p = json.readTree(DIR.resolve(kind).resolve(PeftAdapter.CONFIG).toFile());
            JsonNode j = json.readTree(ours.resolve(PeftAdapter.CONFIG).toFile());
            for (String f : List.of("peft_type", "task_type", "r", "lora_alpha", "lora_dropout", "bias", "fan_in_fan_out",
                    "use_rslora", "use_dora", "init_lora_weights")) {
                assertEquals(p.get(f).asText(), j.get(f).asText(), kind + ": " + f);
            }
            assertEquals(set(p.get("target_modules")), set(j.get("target_modules")), kind + ": target_modules");
            assertTrue(set(j.get("modules_to_save")).containsAll(set(p.get("modules_to_save"))), kind + ": modules_to_save");
            assertEquals("/models/base", j.get("base_model_name_or_path").asText());
            PeftAdapter.Adapter back = PeftAdapter.read(ours);
            assertEquals(Quantization.NF4, back.baseQuantization(), "the base's quantization is kept beside the adapter");
            try (BertModel m = model(kind)) {
                PeftAdapter.apply(m, back, back.baseQuantization());
                assertArrayEquals(before, logits(m), kind + ": the written adapter reads back to the same logits");
            }
        }
    }

    static Set<String> set(JsonNode n) {
        Set<String> s = new HashSet<>();
        n.forEach(v -> s.add(v.asText()));
        return s;
    }
}
