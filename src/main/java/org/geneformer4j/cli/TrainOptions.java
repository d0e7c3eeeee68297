package org.geneformer4j.cli;

import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import picocli.CommandLine.Option;

/** Training arguments, named as transformers' TrainingArguments; defaults are upstream's Classifier defaults. */
final class TrainOptions {
    @Option(names = "--learning-rate", defaultValue = "5e-5", description = "Peak learning rate. Default: ${DEFAULT-VALUE}.")
    double learningRate;

    @Option(names = "--weight-decay", defaultValue = "0.001", description = "AdamW weight decay (not on biases and LayerNorm). Default: ${DEFAULT-VALUE}.")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "linear", description = "linear, cosine, polynomial or constant. Default: ${DEFAULT-VALUE}.")
    String schedule;

    @Option(names = "--warmup-steps", description = "Linear warmup steps (default: 500 for 6-layer models, as upstream; else 0).")
    Long warmupSteps;

    @Option(names = "--warmup-ratio", defaultValue = "0", description = "Warmup as a fraction of all steps (used when --warmup-steps is 0).")
    double warmupRatio;

    @Option(names = "--epochs", description = "Training epochs, may be fractional (default: 10 for cells, 1 for genes, as upstream).")
    Double epochs;

    @Option(names = "--batch-size", defaultValue = "12", description = "Cells per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--grad-accum", defaultValue = "1", description = "Batches per optimizer step. Default: ${DEFAULT-VALUE}.")
    int gradAccum;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", description = "Clip the gradient norm (0: no clipping). Default: ${DEFAULT-VALUE}.")
    double maxGradNorm;

    @picocli.CommandLine.Mixin
    SeedOption seed;

    @Option(names = "--group-by-length", description = "Batch cells of similar length (less padding; upstream's pretraining does).")
    boolean groupByLength;

    @Option(names = "--packed", description = "Pack each batch's cells end to end without padding (variable-length attention on GPUs),"
            + " in training and evaluation: the same loss and gradients, no work on padding.")
    boolean packed;

    @Option(names = "--eval-steps", defaultValue = "0", description = "Evaluate every N optimizer steps (0: each epoch; below 1: that share of all steps, as transformers). Default: ${DEFAULT-VALUE}.")
    double evalSteps;

    @Option(names = "--save-steps", defaultValue = "0", description = "Write a resumable checkpoint-STEP/ every N steps (0: at each evaluation/epoch;"
            + " below 1: that share of all steps, e.g. 0.0417 = 8 an epoch over 3 epochs, upstream's example).")
    double saveSteps;

    @Option(names = "--save-total-limit", defaultValue = "" + TrainSettings.SAVE_TOTAL_LIMIT, paramLabel = "K",
            description = "Keep the K newest checkpoints, deleting older ones once a new one is complete (0: keep all). Default: ${DEFAULT-VALUE}.")
    int saveTotalLimit;

    @Option(names = "--log-steps", defaultValue = "0", description = "Training-loss lines in metrics.jsonl every N steps (0: ten per epoch; below 1: that share of all steps).")
    double logSteps;

    @Option(names = "--stop-after-steps", defaultValue = "-1", description = "Stop (with a checkpoint) after N steps in all: a time slice on a preemptible queue; rerun to go on.")
    long stopAfterSteps;

    @Option(names = "--no-load-best", negatable = false, description = "Keep the last model rather than the best by validation macro F1.")
    boolean noLoadBest;

    @Option(names = "--nproc-per-node", defaultValue = "1", paramLabel = "N",
            description = "Train as N data-parallel processes on this machine (torchrun's and Slurm's variables are read too). Default: ${DEFAULT-VALUE}.")
    int nprocPerNode;

    @Option(names = "--ddp-backend", defaultValue = "auto", paramLabel = "auto|gloo|nccl",
            description = "The c10d backend of a data-parallel job (transformers' ddp_backend): nccl between GPUs (one rank"
                    + " per GPU), gloo between CPUs; auto picks by --device. Default: ${DEFAULT-VALUE}.")
    String distBackend;

    @Option(names = {"--ddp-timeout", "--dist-timeout"}, defaultValue = "300", paramLabel = "SECONDS",
            description = "A rank that does not answer for this long stops the job with an error (transformers' ddp_timeout; --dist-timeout is its earlier name here). Default: ${DEFAULT-VALUE}.")
    long distTimeout;

    /** Whether this process should start the ranks itself instead of training ({@code --nproc-per-node} > 1). */
    boolean launches() {
        return nprocPerNode > 1 && !org.geneformer4j.distributed.LocalLauncher.insideJob();
    }

    org.geneformer4j.distributed.DistBackend backend() {
        return org.geneformer4j.distributed.DistBackend.parse(distBackend);
    }

    java.time.Duration timeout() {
        return java.time.Duration.ofSeconds(distTimeout);
    }

    TrainSettings settings(int layers, double defaultEpochs) {
        long warmup = warmupSteps != null ? warmupSteps : (layers == 6 && warmupRatio == 0 ? 500 : 0);
        return new TrainSettings(learningRate, weightDecay, Schedule.parse(schedule), warmup, warmupRatio,
                epochs != null ? epochs : defaultEpochs, batchSize, gradAccum, maxGradNorm, seed.seed, groupByLength,
                evalSteps, saveSteps, logSteps, "macro_f1", !noLoadBest, 0.9, 0.999, 1e-8, saveTotalLimit);
    }
}
