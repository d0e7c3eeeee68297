package org.geneformer4j.pretrain;

import java.util.Locale;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.util.UserException;

/**
 * The published pretraining runs' settings (from their {@code training_args.bin}; reference §8), by name. A recipe
 * fills the training options the user did not give; the model's shape comes from the checkpoint
 * ({@code geneformer models init} for a new one). V2-104M's warmup is a ratio; its weight decay is not published and
 * upstream's 0.001 is used.
 */
public enum Recipe {
    V1_10M("gf-6L-30M-i2048", 1e-3, Schedule.LINEAR, 10_000, 0, 12, 0.001),
    GF_12L_30M("gf-12L-30M-i2048", 5e-4, Schedule.LINEAR, 10_000, 0, 4, 0.001),
    GF_12L_95M("gf-12L-95M-i4096", 5e-4, Schedule.COSINE, 5_000, 0, 4, 0.001),
    V2_104M("Geneformer-V2-104M", 2e-4, Schedule.COSINE, 0, 0.007, 18, 0.001);

    public final String model;
    public final double learningRate;
    public final Schedule schedule;
    public final long warmupSteps;
    public final double warmupRatio;
    public final int batchSize;
    public final double weightDecay;
    /** Every published run: 3 epochs, gradient norm clipped at 1, length-grouped batches, seed 42. */
    public static final double EPOCHS = 3;

    Recipe(String model, double learningRate, Schedule schedule, long warmupSteps, double warmupRatio, int batchSize, double weightDecay) {
        this.model = model;
        this.learningRate = learningRate;
        this.schedule = schedule;
        this.warmupSteps = warmupSteps;
        this.warmupRatio = warmupRatio;
        this.batchSize = batchSize;
        this.weightDecay = weightDecay;
    }

    /** By enum name (v1-10m, gf-12l-95m, ...) or by the model the run made. */
    public static Recipe of(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Recipe r : values()) {
            if (r.name().equals(n) || r.model.equalsIgnoreCase(name.trim())) {
                return r;
            }
        }
        throw new UserException("unknown --recipe '" + name + "' (v1-10m, gf-12l-30m, gf-12l-95m, v2-104m)");
    }
}
