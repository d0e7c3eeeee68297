package org.geneformer4j.quant;

import java.util.Locale;
import org.geneformer4j.util.UserException;

/** How the encoder's linear weights are stored: full precision (the default), int8 or NF4. */
public enum Quantization {
    NONE, INT8, NF4;

    /** {@code none}, {@code int8} or {@code nf4}; null means none. */
    public static Quantization parse(String s) {
        if (s == null || s.isBlank()) {
            return NONE;
        }
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "none", "fp32", "off" -> NONE;
            case "int8" -> INT8;
            case "nf4" -> NF4;
            default -> throw new UserException("--quantize takes int8 or nf4, not " + s);
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
