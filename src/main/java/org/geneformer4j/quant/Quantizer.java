package org.geneformer4j.quant;

import org.geneformer4j.model.BertModel;

/** Puts quantized encoder weights into a loaded model: the one call the engine makes. */
public final class Quantizer {
    private Quantizer() {}

    /** Replaces {@code model}'s encoder linear layers as {@code q} says; NONE leaves the model as it is. */
    public static void install(BertModel model, Quantization q) {
        switch (q) {
            case NONE -> { }
            case INT8 -> Int8Linears.install(model);
            case NF4 -> Nf4Linears.install(model);
        }
    }
}
