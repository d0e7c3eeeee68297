package org.geneformer4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.distributed.DataParallel;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Autocast;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * The training loop every trainer shares, as a Hugging Face Trainer runs it: AdamW, a warmup schedule, gradient
 * accumulation and clipping, evaluation every N steps or each epoch, the best model kept, and a checkpoint that a
 * killed run resumes from exactly (same data order, same dropout masks, same final weights).
 *
 * <p>The run directory holds {@code checkpoint-STEP/} (resumable states, the newest
 * {@link TrainSettings#saveTotalLimit()} kept), {@code best/} (the best model by {@link TrainSettings#bestMetric()})
 * and {@code metrics.jsonl}.
 */
public final class Trainer {
    private final TrainSettings s;
    private final Path runDir;
    private final int freezeLayers;
    private final String identity;
    private final Progress progress;
    private long stopAfterSteps = -1;
    private DataParallel parallel = DataParallel.single();
    private ScalarType autocast = ScalarType.Float;

    /**
     * @param identity what must match for a checkpoint in {@code runDir} to be resumed (data, labels, model)
     */
    public Trainer(TrainSettings s, Path runDir, int freezeLayers, String identity, Progress progress) {
        this.s = s;
        this.runDir = runDir;
        this.freezeLayers = freezeLayers;
        this.identity = identity;
        this.progress = progress.also("tokens");
    }

    /**
     * Trains as one rank of a data-parallel job: each step's batches are shared out among the ranks and their
     * gradients averaged; rank 0 writes the log, the checkpoints and the best model, and every rank resumes from them.
     */
    public Trainer parallel(DataParallel p) {
        this.parallel = p;
        return this;
    }

    /**
     * Mixed precision: forward passes, losses and evaluations in {@code dtype} (bf16) by LibTorch's autocast
     * ({@link Autocast}), the weights, gradients and optimizer state in fp32. fp32 (the default) trains in fp32.
     * fp16 would need loss scaling, which is not built, and is refused.
     */
    public Trainer autocast(ScalarType dtype) {
        requirePrecision(dtype);
        this.autocast = dtype;
        return this;
    }

    /** The precisions training runs in: fp32, and bf16 mixed precision; fp16 is refused with the reason. */
    public static void requirePrecision(ScalarType dtype) {
        if (dtype.value == ScalarType.Half.value) {
            throw new UserException("training in fp16 needs loss scaling, which is not built: train with --dtype bf16 (or fp32)");
        }
        if (dtype.value != ScalarType.Float.value && dtype.value != ScalarType.BFloat16.value) {
            throw new UserException("training runs in fp32 or bf16 mixed precision, not " + dtype);
        }
    }

    /** Stops (with a checkpoint) after this many optimizer steps in all: a time slice of a longer run. */
    public Trainer stopAfterSteps(long steps) {
        this.stopAfterSteps = steps;
        return this;
    }

    /**
     * @param steps optimizer steps done; {@code totalSteps} when the run completed
     * @param bestEval the evaluation of the kept model (empty without validation data)
     */
    public record Result(long steps, long totalSteps, Map<String, Double> bestEval, long bestStep, boolean resumedFrom,
            boolean finished) {}

    /**
     * The parameters that train: all but the first {@code freezeLayers} encoder layers (embeddings train, as upstream)
     * and any the model keeps from training (adapter fine-tuning trains the adapters and the head only).
     */
    static Map<String, Tensor> trainable(BertModel model, int freezeLayers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            boolean frozen = !model.mayTrain(e.getKey());
            for (int i = 0; i < freezeLayers; i++) {
                frozen |= e.getKey().startsWith("bert.encoder.layer." + i + ".");
            }
            e.getValue().requires_grad_(!frozen);
            if (!frozen) {
                out.put(e.getKey(), e.getValue());
            }
        }
        return out;
    }

    public Result train(BertModel model, TrainingTask task) {
        if (task.trainSize() == 0) {
            throw new UserException("no training examples");
        }
        if (freezeLayers > model.config().numLayers()) {
            throw new UserException("--freeze-layers " + freezeLayers + " exceeds the model's " + model.config().numLayers() + " layers");
        }
        try {
            Files.createDirectories(runDir);
        } catch (IOException e) {
            throw new UserException("cannot create " + runDir + ": " + e.getMessage(), e);
        }
        if (model.dtype().value != ScalarType.Float.value) {
            throw new IllegalArgumentException("training keeps fp32 weights (mixed precision autocasts the computation); the model is in "
                    + model.dtype());
        }
        Map<String, Tensor> trainable = trainable(model, freezeLayers);
        boolean mixed = autocast.value != ScalarType.Float.value;
        // a bf16 run resumes as bf16: its weights' path differs from an fp32 run's
        String key = s.resumeKey() + " | freeze " + freezeLayers + " | " + identity + (mixed ? " | autocast " + autocast : "");
        int globalBatch = s.batchSize() * parallel.worldSize();
        int batchesPerEpoch = (task.trainSize() + globalBatch - 1) / globalBatch;
        long stepsPerEpoch = (batchesPerEpoch + s.gradientAccumulation() - 1) / s.gradientAccumulation();
        long total = (long) Math.ceil(s.epochs() * stepsPerEpoch);
        long warmup = s.warmupFor(total);
        boolean main = parallel.isMain();
        MetricsLog log = main ? new MetricsLog(runDir.resolve("metrics.jsonl")) : MetricsLog.discard();
        try (AdamW opt = new AdamW(trainable, s.weightDecay(), s.beta1(), s.beta2(), s.epsilon())) {
            parallel.broadcast(model.parameters().values()); // every replica starts from rank 0's weights (random heads included)
            if (main) {
                TrainingCheckpoint.removeLeftovers(runDir);
            }
            Optional<TrainerState> resumedState = TrainingCheckpoint.resume(runDir, key, model, opt);
            TrainerState state = resumedState.orElse(new TrainerState(0, 0, 0, null, -1, key, 1));
            log.truncateAfter(state.globalStep());
            progress.setTotal(total);
            progress.resumedAt(state.globalStep());
            TrainStep trainStep = new TrainStep(model, task, trainable, opt, s, parallel, autocast, state.memoryPieces(),
                    (at, pieces) -> warn(main, "warning: out of memory at step " + (at + 1) + " (rank "
                            + parallel.cluster().rank() + "): each batch now goes through in " + pieces
                            + " pieces, its gradients accumulated (the same step, more time)"));
            Evaluation evaluation = new Evaluation(s, runDir, state.bestMetric(), state.bestStep(), main, autocast);
            long evalEvery = s.evalEvery(total);
            long saveEvery = s.saveEvery(total);
            long logEvery = s.logEvery(total);
            LossWindow window = new LossWindow(logEvery > 0 ? logEvery : Math.max(1, Math.round(stepsPerEpoch / 10.0)));
            long step = state.globalStep();
            int epoch = state.epoch();
            int b = state.batchInEpoch();
            List<int[]> batches = null;
            int batchesOfEpoch = -1;
            while (step < total) {
                if (batchesOfEpoch != epoch) {
                    batches = EpochOrder.batches(task, s, globalBatch, epoch);
                    batchesOfEpoch = epoch;
                }
                int micro = Math.min(s.gradientAccumulation(), batches.size() - b);
                double lr = s.learningRate() * s.schedule().factor(step, warmup, total, s.learningRate());
                TrainStep.Done done = trainStep.run(batches.subList(b, b + micro), step, lr);
                b += micro;
                step++;
                progress.advance(1, done.tokens());
                boolean epochEnded = b >= batches.size();
                double epochPosition = round(epoch + (double) b / batches.size());
                window.add(done, step, total, epochPosition, lr, log, parallel);
                boolean evaluate = (evalEvery > 0 && step % evalEvery == 0) || (evalEvery == 0 && epochEnded)
                        || step == total;
                if (evaluate) {
                    evaluation.run(model, task, step, epochPosition, log);
                }
                int nextEpoch = epochEnded ? epoch + 1 : epoch;
                int nextBatch = epochEnded ? 0 : b;
                boolean stop = stopAfterSteps >= 0 && step >= stopAfterSteps && step < total;
                boolean save = (saveEvery > 0 && step % saveEvery == 0) || (saveEvery == 0 && (epochEnded || evaluate)) || stop;
                if (save) {
                    parallel.requireSameWeights(model.parameters().values(), step);
                }
                if (main && save) {
                    TrainingCheckpoint.save(runDir, model, opt,
                            new TrainerState(step, nextEpoch, nextBatch, evaluation.best(), evaluation.bestStep(), key,
                                    trainStep.pieces()), s.saveTotalLimit());
                }
                epoch = nextEpoch;
                b = nextBatch;
                if (stop) {
                    return new Result(step, total, Map.of(), evaluation.bestStep(), resumedState.isPresent(), false);
                }
            }
            progress.finish();
            parallel.barrier(); // rank 0's last best model is written before anyone reads it
            return new Result(step, total, evaluation.finish(model), evaluation.bestStep(), resumedState.isPresent(), true);
        } finally {
            for (Tensor p : model.parameters().values()) {
                p.requires_grad_(false);
            }
        }
    }

    /**
     * A line about this rank alone: between rank 0's progress reports, or on the other ranks' stderr, which otherwise
     * carries only their errors (rank 0 speaks for the job).
     */
    private void warn(boolean main, String line) {
        if (main) {
            progress.note(line);
        } else {
            System.err.println(line);
        }
    }

    /** The training-loss lines of metrics.jsonl: the mean loss over the last {@code every} steps, with speed. */
    private static final class LossWindow {
        private final long every;
        private double loss;
        private int steps;
        private long examples;
        private long tokens;
        private final long[] nanos = new long[3];
        private long since = System.nanoTime();

        LossWindow(long every) {
            this.every = every;
        }

        /**
         * Every rank calls this at every step: at a logging step the window's loss is averaged over the ranks, so
         * the line holds the loss of the whole batch (each rank's is its weighted share), as transformers' Trainer
         * gathers it.
         */
        void add(TrainStep.Done done, long step, long total, double epoch, double lr, MetricsLog log,
                DataParallel parallel) {
            loss += done.loss();
            steps++;
            examples += done.examples();
            tokens += done.tokens();
            for (int i = 0; i < nanos.length; i++) {
                nanos[i] += done.nanos()[i];
            }
            if (step % every != 0 && step != total) {
                return;
            }
            double secs = (System.nanoTime() - since) / 1e9;
            Map<String, Object> line = new LinkedHashMap<>();
            line.put("step", step);
            line.put("epoch", epoch);
            line.put("loss", parallel.mean(loss / steps));
            line.put("learning_rate", lr);
            line.put("grad_norm", done.gradNorm());
            line.put("cells_per_s", examples / Math.max(secs, 1e-9));
            line.put("tokens_per_s", tokens / Math.max(secs, 1e-9));
            // where a step's time went (ms per step): what to look at when tokens/s disappoints
            line.put("ms_step", secs * 1e3 / steps);
            line.put("ms_forward_backward", nanos[0] / 1e6 / steps);
            line.put("ms_all_reduce", nanos[1] / 1e6 / steps);
            line.put("ms_optimizer", nanos[2] / 1e6 / steps);
            log.write(line);
            loss = 0;
            steps = 0;
            examples = 0;
            tokens = 0;
            Arrays.fill(nanos, 0);
            since = System.nanoTime();
        }
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
