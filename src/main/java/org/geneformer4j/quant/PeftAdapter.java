package org.geneformer4j.quant;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * A LoRA adapter directory as peft writes it: {@code adapter_config.json} (LoraConfig's fields) and
 * {@code adapter_model.safetensors} (tensors named {@code base_model.model.<module>.lora_A.weight}, the head's as
 * {@code base_model.model.classifier.weight}: modules_to_save), so that
 * {@code PeftModel.from_pretrained(BertFor...Classification.from_pretrained(base), dir)} loads it. Beside them, the
 * classifier's {@code config.json} (architecture, classes) and the base's quantization, which peft does not record.
 */
public final class PeftAdapter {
    public static final String CONFIG = "adapter_config.json";
    public static final String WEIGHTS = "adapter_model.safetensors";
    /** Our key in config.json: the quantization the adapter was trained over (transformers ignores it). */
    static final String BASE_QUANTIZATION = "geneformer4j_base_quantization";
    private static final String PREFIX = "base_model.model.";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * An adapter read from disk. {@code tensors} are named as the model names them (no peft prefix); {@code config}
     * is the classifier's config.json when the directory has one; {@code baseQuantization} what training used.
     */
    public record Adapter(Path dir, int r, double alpha, double dropout, List<String> targets, List<String> modulesToSave,
            String taskType, String baseModel, Map<String, HostTensor> tensors, BertConfig config, Quantization baseQuantization) {
        public LoraSettings settings(Quantization q) {
            return new LoraSettings(r, alpha, dropout, targets, q);
        }
    }

    private PeftAdapter() {}

    public static boolean isAdapter(Path dir) {
        return Files.isRegularFile(dir.resolve(CONFIG));
    }

    /** peft's task type for the model's head (what picks the PeftModel class on loading). */
    static String taskType(Head head) {
        return switch (head) {
            case SEQUENCE_CLASSIFICATION -> "SEQ_CLS";
            case TOKEN_CLASSIFICATION -> "TOKEN_CLS";
            default -> "FEATURE_EXTRACTION";
        };
    }

    /**
     * Writes {@code model}'s adapters and head into {@code dir}. {@code baseModel} is what the base is loaded from
     * (a registry name or a directory, made absolute), peft's {@code base_model_name_or_path}.
     */
    public static void write(Path dir, BertModel model, LoraLinears lora, String baseModel) {
        LoraSettings s = lora.settings();
        ObjectNode c = JSON.createObjectNode();
        c.put("peft_type", "LORA");
        c.put("task_type", taskType(model.head()));
        c.put("base_model_name_or_path", baseModel);
        c.put("r", s.r());
        if (s.alpha() == Math.rint(s.alpha())) {
            c.put("lora_alpha", (long) s.alpha()); // LoraConfig's lora_alpha is an int
        } else {
            c.put("lora_alpha", s.alpha());
        }
        c.put("lora_dropout", s.dropout());
        c.putArray("target_modules").addAll(s.targets().stream().map(JSON.getNodeFactory()::textNode).toList());
        c.put("bias", "none");
        var modules = c.putArray("modules_to_save");
        // the pooler is new when a classifier starts from a pretrained checkpoint: it trains and must be saved,
        // or peft would initialise it afresh on loading
        for (String m : model.head() == Head.SEQUENCE_CLASSIFICATION ? List.of("classifier", "score", "pooler")
                : List.of("classifier", "score")) {
            modules.add(m);
        }
        c.put("fan_in_fan_out", false);
        c.put("inference_mode", true);
        c.put("init_lora_weights", true);
        c.put("use_rslora", false);
        c.put("use_dora", false);
        c.putNull("layers_to_transform");
        c.putNull("layers_pattern");
        c.putObject("rank_pattern");
        c.putObject("alpha_pattern");
        c.putNull("revision");
        Map<String, HostTensor> tensors = new TreeMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
                String k = e.getKey();
                if (k.contains(".lora_") || LoraLinears.isHead(k)) {
                    tensors.put(PREFIX + k, Tensors.toHost(e.getValue().detach().to(org.bytedeco.pytorch.global.torch.ScalarType.Float)));
                }
            }
        }
        try {
            Files.createDirectories(dir);
            AtomicFile.writeString(dir.resolve(CONFIG), JSON.writeValueAsString(c) + "\n");
        } catch (IOException e) {
            throw new UserException("cannot write " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        SafeTensors.write(dir.resolve(WEIGHTS), tensors, Map.of("format", "pt"));
        ObjectNode config = model.config().json().deepCopy();
        config.put(BASE_QUANTIZATION, lora.quantized() ? Quantization.NF4.label() : Quantization.NONE.label());
        BertConfig.of(config, "config").write(dir.resolve("config.json"));
    }

    /** Reads an adapter directory, ours or peft's. */
    public static Adapter read(Path dir) {
        JsonNode c;
        try {
            c = JSON.readTree(dir.resolve(CONFIG).toFile());
        } catch (IOException e) {
            throw new UserException("cannot read " + dir.resolve(CONFIG) + ": " + e.getMessage(), e);
        }
        if (!"LORA".equals(c.path("peft_type").asText())) {
            throw new UserException(dir.resolve(CONFIG) + ": peft_type " + c.path("peft_type") + " is not LORA, the one adapter kind read here");
        }
        for (String unsupported : new String[] {"use_dora", "use_rslora", "fan_in_fan_out"}) {
            if (c.path(unsupported).asBoolean(false)) {
                throw new UserException(dir.resolve(CONFIG) + ": " + unsupported + " is not supported");
            }
        }
        if (!c.path("rank_pattern").isEmpty() || !c.path("alpha_pattern").isEmpty() || !c.path("bias").asText("none").equals("none")) {
            throw new UserException(dir.resolve(CONFIG) + ": per-module ranks, alphas or trained biases are not supported");
        }
        List<String> targets = strings(c.path("target_modules"));
        List<String> modules = strings(c.path("modules_to_save"));
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        Path weights = dir.resolve(WEIGHTS);
        if (!Files.isRegularFile(weights)) {
            throw new UserException(dir + " has no " + WEIGHTS + " (adapter_model.bin is not read: save with safe_serialization)");
        }
        for (Map.Entry<String, HostTensor> e : SafeTensors.read(weights).entrySet()) {
            String k = e.getKey();
            if (!k.startsWith(PREFIX)) {
                throw new UserException(weights + ": tensor " + k + " is not named as peft names them (" + PREFIX + "...)");
            }
            // peft names adapters lora_A.weight when it saves, lora_A.<adapter>.weight in a live model
            k = k.substring(PREFIX.length()).replace(".modules_to_save.default.", ".").replaceAll("\\.(lora_[AB])\\.[^.]+\\.weight$", ".$1.weight");
            tensors.put(k, e.getValue());
        }
        BertConfig config = Files.isRegularFile(dir.resolve("config.json")) ? BertConfig.read(dir.resolve("config.json")) : null;
        Quantization q = config == null ? null : Quantization.parse(config.json().path(BASE_QUANTIZATION).asText(null));
        return new Adapter(dir, c.path("r").asInt(8), c.path("lora_alpha").asDouble(8), c.path("lora_dropout").asDouble(0),
                targets, modules, c.path("task_type").asText(null), c.path("base_model_name_or_path").asText(null), tensors,
                config, q);
    }

    private static List<String> strings(JsonNode n) {
        List<String> out = new ArrayList<>();
        if (n.isTextual()) {
            throw new UserException("target_modules as a regular expression is not supported: list the modules");
        }
        n.forEach(v -> out.add(v.asText()));
        return out;
    }

    /**
     * Puts {@code a} on {@code model} (base weights in {@code q}): the adapters on their layers and, where the model
     * has that head, the head's weights. Every adapter tensor must find its place; a missing one is an error.
     */
    public static LoraLinears apply(BertModel model, Adapter a, Quantization q) {
        LoraLinears lora = LoraLinears.install(model, a.settings(q), 0);
        List<String> unused = new ArrayList<>();
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Map.Entry<String, HostTensor> e : a.tensors().entrySet()) {
                Tensor dst = model.parameters().get(e.getKey());
                if (dst == null) {
                    if (LoraLinears.isHead(e.getKey()) && model.head() != Head.SEQUENCE_CLASSIFICATION
                            && model.head() != Head.TOKEN_CLASSIFICATION) {
                        continue; // an encoder (embed, perturb) runs without the classifier's head
                    }
                    unused.add(e.getKey());
                    continue;
                }
                if (!java.util.Arrays.equals(e.getValue().shape(), Tensors.shape(dst))) {
                    throw new UserException(a.dir() + ": " + e.getKey() + " has shape " + java.util.Arrays.toString(e.getValue().shape())
                            + ", the model's is " + java.util.Arrays.toString(Tensors.shape(dst)));
                }
                dst.copy_(Tensors.toTorch(e.getValue(), dst.device(), dst.scalar_type()));
            }
        }
        if (!unused.isEmpty()) {
            throw new UserException(a.dir() + " holds tensors this model has no place for: " + String.join(", ", unused.subList(0, Math.min(5, unused.size()))));
        }
        for (String name : lora.adapters().keySet()) {
            if (!a.tensors().containsKey(name)) {
                throw new UserException(a.dir() + " lacks " + name);
            }
        }
        return lora;
    }
}
