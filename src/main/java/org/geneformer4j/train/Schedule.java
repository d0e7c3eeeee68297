package org.geneformer4j.train;

import java.util.Locale;
import org.geneformer4j.util.UserException;

/**
 * Learning-rate schedules as transformers' {@code get_scheduler}: a multiplier of the peak rate for each optimizer
 * step, counted from 0, so with warmup the first update is made at rate 0 exactly as a Hugging Face Trainer makes it.
 */
public enum Schedule {
    LINEAR, COSINE, POLYNOMIAL, CONSTANT;

    /** transformers' default end rate of the polynomial schedule. */
    static final double POLYNOMIAL_LR_END = 1e-7;

    public static Schedule parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT).replace("CONSTANT_WITH_WARMUP", "CONSTANT"));
        } catch (IllegalArgumentException e) {
            throw new UserException("unknown schedule '" + s + "' (linear, cosine, polynomial, constant)");
        }
    }

    /** The multiplier at optimizer step {@code step} of {@code total}, after {@code warmup} linear warmup steps. */
    public double factor(long step, long warmup, long total, double peakLr) {
        if (step < warmup) {
            return (double) step / Math.max(1, warmup);
        }
        double progress = (double) (step - warmup) / Math.max(1, total - warmup);
        return switch (this) {
            case LINEAR -> Math.max(0.0, (double) (total - step) / Math.max(1, total - warmup));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
            case POLYNOMIAL -> {
                // power 1, decaying to lr_end rather than 0
                if (step > total || peakLr <= POLYNOMIAL_LR_END) {
                    yield POLYNOMIAL_LR_END / peakLr;
                }
                yield ((peakLr - POLYNOMIAL_LR_END) * (1.0 - progress) + POLYNOMIAL_LR_END) / peakLr;
            }
            case CONSTANT -> 1.0;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
