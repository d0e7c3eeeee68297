package org.geneformer4j.quant;

import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.model.BertConfig;

/**
 * The linear layers that quantization replaces: the six of every encoder layer (query, key, value, attention
 * output, intermediate, output), which hold 85 % of a Geneformer V2's parameters. Embeddings, LayerNorms, the pooler
 * and the heads stay in full precision, as bitsandbytes leaves them when transformers quantizes a BERT (the heads
 * are its {@code modules_to_not_convert}; embeddings and norms are no {@code nn.Linear}).
 */
public final class EncoderLinears {
    public static final List<String> SUFFIXES = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    private EncoderLinears() {}

    /** Every encoder linear layer of a model of {@code config}, in layer order. */
    public static List<String> of(BertConfig config) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            for (String s : SUFFIXES) {
                out.add("bert.encoder.layer." + i + "." + s);
            }
        }
        return out;
    }

    /** The short module name peft matches {@code target_modules} against (query, value, dense, ...). */
    public static String moduleName(String layer) {
        return layer.substring(layer.lastIndexOf('.') + 1);
    }
}
