package org.geneformer4j.train;

import org.geneformer4j.util.UserException;

/**
 * How to train: the Hugging Face TrainingArguments a Geneformer user sets, with upstream's classifier defaults
 * (batch 12, weight decay 0.001, gradient norm clipped at 1.0, AdamW betas 0.9/0.999, eps 1e-8).
 *
 * @param warmupSteps linear warmup in optimizer steps; when negative, {@code warmupRatio} of all steps
 * @param evalSteps evaluate every this many optimizer steps; 0 evaluates at the end of each epoch. As transformers'
 *                  {@code eval_steps}, {@code save_steps} and {@code logging_steps}, a value below 1 is a share of all
 *                  the run's steps: 1/24 of a 3-epoch run is upstream's example's 8 checkpoints an epoch
 * @param saveSteps write a resumable checkpoint every this many steps; 0 at each epoch end (and each evaluation)
 * @param logSteps write a training-loss line every this many steps; 0 about ten times per epoch
 * @param bestMetric the evaluation metric whose maximum selects the best model (loss metrics are minimised)
 * @param saveTotalLimit checkpoints kept, the newest ({@code checkpoint-STEP/}); 0 keeps every one
 */
public record TrainSettings(double learningRate, double weightDecay, Schedule schedule, long warmupSteps,
        double warmupRatio, double epochs, int batchSize, int gradientAccumulation, double maxGradNorm, long seed,
        boolean groupByLength, double evalSteps, double saveSteps, double logSteps, String bestMetric, boolean loadBestAtEnd,
        double beta1, double beta2, double epsilon, int saveTotalLimit) {
    /** Checkpoints kept by default: the newest and the one before, should the newest be on a disk that fails. */
    public static final int SAVE_TOTAL_LIMIT = 2;

    public static TrainSettings defaults() {
        return new TrainSettings(5e-5, 0.001, Schedule.LINEAR, 0, 0, 10, 12, 1, 1.0, 42, false, 0, 0, 0,
                "macro_f1", true, 0.9, 0.999, 1e-8, SAVE_TOTAL_LIMIT);
    }

    public TrainSettings {
        if (!(learningRate > 0) || weightDecay < 0 || !(epochs > 0) || batchSize < 1 || gradientAccumulation < 1) {
            throw new UserException("training settings out of range: learning rate " + learningRate + ", weight decay "
                    + weightDecay + ", epochs " + epochs + ", batch " + batchSize + ", accumulation " + gradientAccumulation);
        }
        if (warmupRatio < 0 || warmupRatio >= 1) {
            throw new UserException("--warmup-ratio must be in [0, 1), not " + warmupRatio);
        }
        interval("--eval-steps", evalSteps);
        interval("--save-steps", saveSteps);
        interval("--log-steps", logSteps);
        if (saveTotalLimit < 0) {
            throw new UserException("--save-total-limit must be 0 (keep every checkpoint) or more, not " + saveTotalLimit);
        }
    }

    /** What a checkpoint must have been written with to be resumed: these settings but for how many are kept. */
    public String resumeKey() {
        return new TrainSettings(learningRate, weightDecay, schedule, warmupSteps, warmupRatio, epochs, batchSize, gradientAccumulation,
                maxGradNorm, seed, groupByLength, evalSteps, saveSteps, logSteps, bestMetric, loadBestAtEnd, beta1, beta2, epsilon, 0)
                .toString()
                // whole step counts as they were written when these were integers: older checkpoints still resume
                .replace("evalSteps=" + evalSteps + ",", "evalSteps=" + steps(evalSteps) + ",")
                .replace("saveSteps=" + saveSteps + ",", "saveSteps=" + steps(saveSteps) + ",")
                .replace("logSteps=" + logSteps + ",", "logSteps=" + steps(logSteps) + ",");
    }

    private static String steps(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
    }

    private static void interval(String option, double v) {
        if (!(v >= 0) || (v > 1 && v != Math.rint(v))) {
            throw new UserException(option + " must be a whole number of steps, or a share of all steps below 1, not " + v);
        }
    }

    /** Steps between two evaluations in a run of {@code totalSteps}; 0: at each epoch's end. */
    public long evalEvery(long totalSteps) {
        return every(evalSteps, totalSteps);
    }

    /** Steps between two checkpoints; 0: at each epoch's end and evaluation. */
    public long saveEvery(long totalSteps) {
        return every(saveSteps, totalSteps);
    }

    /** Steps between two training-loss lines; 0: about ten an epoch. */
    public long logEvery(long totalSteps) {
        return every(logSteps, totalSteps);
    }

    /** transformers' rule: a share below 1 is {@code ceil(share x total)} steps. */
    private static long every(double v, long totalSteps) {
        return v >= 1 || v == 0 ? (long) v : Math.max(1, (long) Math.ceil(v * totalSteps));
    }

    public long warmupFor(long totalSteps) {
        return warmupSteps > 0 ? warmupSteps : (long) Math.ceil(warmupRatio * totalSteps);
    }

    public boolean bestIsMinimum() {
        return bestMetric.endsWith("loss");
    }


    public TrainSettings with(double lr, double wd, Schedule sched, long warmup, double epochsValue, long seedValue, int batch) {
        return new TrainSettings(lr, wd, sched, warmup, warmup > 0 ? 0 : warmupRatio, epochsValue, batch, gradientAccumulation,
                maxGradNorm, seedValue, groupByLength, evalSteps, saveSteps, logSteps, bestMetric, loadBestAtEnd, beta1, beta2, epsilon,
                saveTotalLimit);
    }
}
