package org.geneformer4j.quant;

import java.util.List;
import org.geneformer4j.util.UserException;

/**
 * A LoRA adapter's shape, as peft's {@code LoraConfig} names it: {@code y = W x + (alpha / r) · B A dropout(x)} on the
 * {@code targets} (module names: query, key, value, dense), with the base weights frozen and, when {@code quantize}
 * is NF4, stored in 4 bits. Upstream's quantized fine-tuning uses r 64, alpha 128, dropout 0.1 on query and value.
 */
public record LoraSettings(int r, double alpha, double dropout, List<String> targets, Quantization quantize) {
    public static final List<String> MODULES = List.of("query", "key", "value", "dense");

    public LoraSettings {
        if (r < 1) {
            throw new UserException("--lora-r must be positive");
        }
        if (dropout < 0 || dropout >= 1) {
            throw new UserException("--lora-dropout must be in [0, 1)");
        }
        if (targets.isEmpty()) {
            throw new UserException("--lora-targets names no module");
        }
        for (String t : targets) {
            if (!MODULES.contains(t)) {
                throw new UserException("--lora-targets takes " + String.join(", ", MODULES) + ", not " + t);
            }
        }
        if (quantize == Quantization.INT8) {
            throw new UserException("LoRA fine-tuning takes --quantize nf4 (or none), not int8: the int8 kernels have no gradient");
        }
        targets = List.copyOf(targets);
    }

    public double scaling() {
        return alpha / r;
    }

    /** Whether encoder layer {@code layer} (a transformers name) gets an adapter: peft matches the last name part. */
    public boolean targets(String layer) {
        return targets.contains(EncoderLinears.moduleName(layer));
    }
}
