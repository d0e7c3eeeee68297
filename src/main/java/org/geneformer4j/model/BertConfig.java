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
        int hidden = required(o, "hidden_size", source);
        int heads = required(o, "num_attention_heads", source);
        if (hidden % heads != 0) {
            throw new UserException(source + ": hidden_size " + hidden + " is not a multiple of num_attention_heads " + heads);
        }
        String act = o.path("hidden_act").asText("gelu");
        if (!List.of("relu", "gelu").contains(act)) {
            throw new UserException(source + ": hidden_act '" + act + "' is not supported (relu or gelu)");
        }
        return new BertConfig(o, required(o, "vocab_size", source), hidden, required(o, "num_hidden_layers", source),
                heads, required(o, "intermediate_size", source), required(o, "max_position_embeddings", source),
                o.path("type_vocab_size").asInt(2), o.path("layer_norm_eps").asDouble(1e-12), act,
                o.path("hidden_dropout_prob").asDouble(0.1), o.path("attention_probs_dropout_prob").asDouble(0.1),
                o.path("pad_token_id").asInt(0), labels(o));
    }

    private static List<String> labels(ObjectNode o) {
        JsonNode id2label = o.path("id2label");
        List<String> out = new ArrayList<>();
        for (int i = 0; id2label.has(String.valueOf(i)); i++) {
            out.add(id2label.get(String.valueOf(i)).asText());
        }
        return out;
    }

    private static int required(ObjectNode o, String key, String source) {
        if (!o.path(key).canConvertToInt()) {
            throw new UserException(source + " lacks '" + key + "'");
        }
        return o.get(key).asInt();
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
