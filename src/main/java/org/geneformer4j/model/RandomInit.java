package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.DoubleSupplier;

/**
 * A new, untrained Geneformer-shaped BERT (masked-LM checkpoint) initialised as transformers' {@code _init_weights}:
 * weights and embeddings normal(0, initializer_range) with the padding row zero, biases 0, LayerNorm 1 and 0. The
 * start of pretraining, and of fine-tuning where no pretrained weights exist (tests, demonstrations).
 */
public final class RandomInit {
    private RandomInit() {}

    /** A config.json as Geneformer's pretraining script writes it (relu, dropout 0.02, eps 1e-12, pad id 0). */
    public static BertConfig config(int vocabSize, int hidden, int layers, int heads, int intermediate, int maxPositions) {
        ObjectNode o = BertConfig.JSON.createObjectNode();
        o.putArray("architectures").add("BertForMaskedLM");
        o.put("model_type", "bert");
        o.put("vocab_size", vocabSize);
        o.put("hidden_size", hidden);
        o.put("num_hidden_layers", layers);
        o.put("num_attention_heads", heads);
        o.put("intermediate_size", intermediate);
        o.put("max_position_embeddings", maxPositions);
        o.put("hidden_act", "relu");
        o.put("hidden_dropout_prob", 0.02);
        o.put("attention_probs_dropout_prob", 0.02);
        o.put("initializer_range", 0.02);
        o.put("layer_norm_eps", 1e-12);
        o.put("pad_token_id", 0);
        o.put("type_vocab_size", 2);
        o.put("position_embedding_type", "absolute");
        o.put("torch_dtype", "float32");
        return BertConfig.of(o, "random model");
    }

    /** The tensors of a masked-LM checkpoint of {@code config}, drawn from {@code seed}. */
    public static Checkpoint checkpoint(BertConfig config, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        Map<String, HostTensor> t = new LinkedHashMap<>();
        for (Map.Entry<String, long[]> e : BertModel.expectedShapes(config, Head.MLM, 0).entrySet()) {
            t.put(e.getKey(), HostTensor.ofFloats(values(e.getKey(), e.getValue(), config, rng::nextGaussian), e.getValue()));
        }
        return new Checkpoint(null, config, t, Path.of("(new random model)"));
    }

    /**
     * One tensor as transformers' {@code BertPreTrainedModel._init_weights} makes it: Linear and Embedding weights
     * normal(0, initializer_range) with the padding token's row zero, LayerNorm weights 1, biases 0. The one rule for
     * new models and for the heads a checkpoint lacks.
     */
    static float[] values(String name, long[] shape, BertConfig config, DoubleSupplier gaussian) {
        float[] v = new float[Math.toIntExact(HostTensor.numel(shape))];
        if (name.endsWith("LayerNorm.weight")) {
            java.util.Arrays.fill(v, 1f);
        } else if (name.endsWith(".weight")) {
            double std = config.json().path("initializer_range").asDouble(0.02);
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (gaussian.getAsDouble() * std);
            }
            if (name.equals("bert.embeddings.word_embeddings.weight")) {
                java.util.Arrays.fill(v, config.padTokenId() * config.hiddenSize(), (config.padTokenId() + 1) * config.hiddenSize(), 0f);
            }
        }
        return v;
    }

    /** Writes {@code config.json} and {@code model.safetensors} of a random model into {@code dir}. */
    public static void save(BertConfig config, long seed, Path dir) {
        Checkpoint c = checkpoint(config, seed);
        SafeTensors.write(dir.resolve(Checkpoint.SAFETENSORS), new java.util.TreeMap<>(c.tensors()), Map.of("format", "pt"));
        config.write(dir.resolve("config.json"));
    }
}
