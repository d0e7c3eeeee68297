package org.geneformer4j.checkpoint;

import org.geneformer4j.model.BertConfig;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.checkpoint.TorchCheckpoint;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * A Hugging Face model directory: {@code config.json} and the weights, from {@code model.safetensors} when present,
 * else {@code pytorch_model.bin}. Tensor names are normalised to those of {@code BertFor*} (prefix {@code bert.}).
 */
public record Checkpoint(Path directory, BertConfig config, Map<String, HostTensor> tensors, Path weightsFile) {
    public static final String SAFETENSORS = "model.safetensors";
    public static final String PYTORCH_BIN = "pytorch_model.bin";

    public static Checkpoint load(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new UserException("model directory " + dir + " does not exist");
        }
        BertConfig config = BertConfig.read(dir.resolve("config.json"));
        Path st = dir.resolve(SAFETENSORS);
        Path bin = dir.resolve(PYTORCH_BIN);
        Path weights;
        Map<String, HostTensor> raw;
        if (Files.isRegularFile(st)) {
            weights = st;
            raw = SafeTensors.read(st);
        } else if (Files.isRegularFile(bin)) {
            weights = bin;
            raw = TorchCheckpoint.read(bin);
        } else if (Files.exists(dir.resolve("model.safetensors.index.json"))
                || Files.exists(dir.resolve("pytorch_model.bin.index.json"))) {
            throw new UserException(dir + " holds a sharded checkpoint; Geneformer checkpoints are single files");
        } else {
            throw new UserException("no " + SAFETENSORS + " or " + PYTORCH_BIN + " in " + dir);
        }
        return new Checkpoint(dir, config, normalise(raw), weights);
    }

    /** Bare {@code BertModel} checkpoints name tensors without the {@code bert.} prefix. */
    private static Map<String, HostTensor> normalise(Map<String, HostTensor> raw) {
        boolean prefixed = raw.keySet().stream().anyMatch(k -> k.startsWith("bert."));
        if (prefixed) {
            return raw;
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        raw.forEach((k, v) -> out.put(k.startsWith("embeddings.") || k.startsWith("encoder.") || k.startsWith("pooler.")
                ? "bert." + k : k, v));
        return out;
    }
}
