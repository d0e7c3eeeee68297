package org.geneformer4j.quant;

import org.geneformer4j.model.BertModel;

/** Puts quantized encoder weights into a loaded model: the one call the engine makes. */
public final class Quantizer {
    private Quantizer() {}

    /** Replaces {@code model}'s encoder linear layers as {@code q} says; NONE leaves the model as it is. */
    public static void install(BertModel model, Quantization q) {
        install(model, q, java.util.Map.of());
    }

    /**
     * As {@link #install(BertModel, Quantization)}, taking the weights from {@code host} where the load left them
     * ({@link #onHost}), one layer at a time.
     */
    public static void install(BertModel model, Quantization q, java.util.Map<String, org.geneformer4j.checkpoint.HostTensor> host) {
        switch (q) {
            case NONE -> {
                if (!host.isEmpty()) {
                    throw new IllegalArgumentException("full precision needs every weight loaded");
                }
            }
            case INT8 -> Int8Linears.install(model, host);
            case NF4 -> Nf4Linears.install(model, host);
        }
    }

    /** What a load for {@code q} leaves on the host: every encoder linear's weight and bias when quantizing, else none. */
    public static java.util.Set<String> onHost(org.geneformer4j.model.BertConfig config, Quantization q) {
        return q == Quantization.NONE ? java.util.Set.of() : EncoderLinears.tensorNames(config);
    }
}
