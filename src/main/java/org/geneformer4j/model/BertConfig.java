package org.geneformer4j.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * A Hugging Face BERT {@code config.json}. The parsed fields drive the model; the original JSON is kept so that a
 * saved model carries every key Python {@code transformers} wrote, changed only where we changed something.
 */
public record BertConfig(ObjectNode json, int vocabSize, int hiddenSize, int numLayers, int numHeads,
        int intermediateSize, int maxPositions, int typeVocabSize, double layerNormEps, String hiddenAct,
        double hiddenDropout, double attentionDropout, int padTokenId, List<String> labels) {

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public static BertConfig read(Path file) {
        JsonNode n;
        try {
            n = JSON.readTree(Files.readString(file));
        } catch (NoSuchFileException e) {
            throw new UserException("no config.json in " + file.getParent());
        } catch (IOException e) {
            throw new UserException(file + " is not valid JSON: " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!(n instanceof ObjectNode o)) {
            throw new UserException(file + " is not a JSON object");
        }
        return of(o, file.toString());
    }

    public static BertConfig of(ObjectNode o, String source) {
        String type = o.path("model_type").asText("bert");
        if (!type.equals("bert")) {
            throw new UserException(source + " describes a '" + type + "' model; Geneformer models are 'bert'");
        }
        if (!o.path("position_embedding_type").asText("absolute").equals("absolute")) {
            throw new UserException(source + ": only absolute position embeddings are supported");
        }
        // Field by field, so that a damaged or hand-edited config is one line naming the key and what it holds,
        // not a division by zero or a "missing" key that is there with the wrong type.
        int vocab = positive(o, "vocab_size", source);
        int hidden = positive(o, "hidden_size", source);
        int layers = positive(o, "num_hidden_layers", source);
        int heads = positive(o, "num_attention_heads", source);
        int intermediate = positive(o, "intermediate_size", source);
        int positions = positive(o, "max_position_embeddings", source);
        if (hidden % heads != 0) {
            throw new UserException(source + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        String act = o.path("hidden_act").asText("gelu");
        if (!List.of("relu", "gelu").contains(act)) {
            throw new UserException(source + ": hidden_act '" + act + "' is not supported (relu or gelu)");
        }
        int typeVocab = optionalInt(o, "type_vocab_size", 2, 1, Integer.MAX_VALUE, source);
        double eps = optionalNumber(o, "layer_norm_eps", 1e-12, Double.MIN_VALUE, 1, source);
        double hiddenDropout = optionalNumber(o, "hidden_dropout_prob", 0.1, 0, 1, source);
        double attentionDropout = optionalNumber(o, "attention_probs_dropout_prob", 0.1, 0, 1, source);
        int pad = optionalInt(o, "pad_token_id", 0, 0, vocab - 1, source);
        return new BertConfig(o, vocab, hidden, layers, heads, intermediate, positions, typeVocab, eps, act,
                hiddenDropout, attentionDropout, pad, labels(o));
    }

    private static List<String> labels(ObjectNode o) {
        JsonNode id2label = o.path("id2label");
        List<String> out = new ArrayList<>();
        for (int i = 0; id2label.has(String.valueOf(i)); i++) {
            out.add(id2label.get(String.valueOf(i)).asText());
        }
        return out;
    }

    private static int positive(ObjectNode o, String key, String source) {
        if (o.path(key).isMissingNode() || o.path(key).isNull()) {
            throw new UserException(source + " lacks '" + key + "'");
        }
        return integer(o, key, 1, Integer.MAX_VALUE, source);
    }

    private static int optionalInt(ObjectNode o, String key, int dflt, int min, int max, String source) {
        return o.path(key).isMissingNode() || o.path(key).isNull() ? dflt : integer(o, key, min, max, source);
    }

    private static int integer(ObjectNode o, String key, int min, int max, String source) {
        JsonNode v = o.get(key);
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new UserException(source + ": '" + key + "' must be a whole number, not " + v);
        }
        int i = v.asInt();
        if (i < min || i > max) {
            throw new UserException(source + ": '" + key + "' is " + i + "; it must be " + range(min, max));
        }
        return i;
    }

    private static double optionalNumber(ObjectNode o, String key, double dflt, double min, double max, String source) {
        JsonNode v = o.path(key);
        if (v.isMissingNode() || v.isNull()) {
            return dflt;
        }
        if (!v.isNumber() || !(v.asDouble() >= min && v.asDouble() <= max)) {
            throw new UserException(source + ": '" + key + "' must be a number " + (min == Double.MIN_VALUE ? "above 0" : "from " + min)
                    + " to " + max + ", not " + v);
        }
        return v.asDouble();
    }

    private static String range(int min, int max) {
        return max == Integer.MAX_VALUE ? "at least " + min : "from " + min + " to " + max;
    }

    public int headDim() {
        return hiddenSize / numHeads;
    }

    /** A copy of the JSON with the given architecture and labels, as transformers writes for a classifier. */
    public BertConfig withHead(String architecture, List<String> labelNames) {
        ObjectNode o = json.deepCopy();
        o.putArray("architectures").add(architecture);
        if (labelNames != null && !labelNames.isEmpty()) {
            ObjectNode id2label = o.putObject("id2label");
            ObjectNode label2id = o.putObject("label2id");
            for (int i = 0; i < labelNames.size(); i++) {
                id2label.put(String.valueOf(i), labelNames.get(i));
                label2id.put(labelNames.get(i), i);
            }
        }
        return of(o, "config");
    }

    /** A copy with this hidden and attention dropout probability. */
    public BertConfig withDropout(double p) {
        ObjectNode o = json.deepCopy();
        o.put("hidden_dropout_prob", p);
        o.put("attention_probs_dropout_prob", p);
        return of(o, "config");
    }

    public String architecture() {
        return json.path("architectures").path(0).asText("BertForMaskedLM");
    }

    public void write(Path file) {
        try (AtomicFile out = AtomicFile.create(file, true)) {
            JSON.writeValue(new java.io.FilterOutputStream(out.stream()) {
                @Override
                public void close() {
                    // AtomicFile closes the stream when it commits
                }
            }, json);
            out.commit();
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }
}
