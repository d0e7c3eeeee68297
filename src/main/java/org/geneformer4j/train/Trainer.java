package org.geneformer4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Checkpoint;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * The training loop every trainer shares, as a Hugging Face Trainer runs it: AdamW, a warmup schedule, gradient
 * accumulation and clipping, evaluation every N steps or each epoch, the best model kept, and a checkpoint that a
 * killed run resumes from exactly (same data order, same dropout masks, same final weights).
 *
 * <p>The run directory holds {@code checkpoint/} (resumable state), {@code best/} (the best model by
 * {@link TrainSettings#bestMetric()}) and {@code metrics.jsonl}.
 */
public final class Trainer {
    private final TrainSettings s;
    private final Path runDir;
    private final int freezeLayers;
    private final String identity;
    private final Progress progress;
    private long stopAfterSteps = -1;

    /**
     * @param identity what must match for a checkpoint in {@code runDir} to be resumed (data, labels, model)
     */
    public Trainer(TrainSettings s, Path runDir, int freezeLayers, String identity, Progress progress) {
        this.s = s;
        this.runDir = runDir;
        this.freezeLayers = freezeLayers;
        this.identity = identity;
        this.progress = progress;
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

    /** The parameters that train: all but the first {@code freezeLayers} encoder layers (embeddings train, as upstream). */
    static Map<String, Tensor> trainable(BertModel model, int freezeLayers) {
        Map<String, Tensor> out = new LinkedHashMap<>();
        for (Map.Entry<String, Tensor> e : model.parameters().entrySet()) {
            boolean frozen = false;
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
        Map<String, Tensor> trainable = trainable(model, freezeLayers);
        String key = s + " | freeze " + freezeLayers + " | " + identity;
        int batchesPerEpoch = (task.trainSize() + s.batchSize() - 1) / s.batchSize();
        long stepsPerEpoch = (batchesPerEpoch + s.gradientAccumulation() - 1) / s.gradientAccumulation();
        long total = (long) Math.ceil(s.epochs() * stepsPerEpoch);
        long warmup = s.warmupFor(total);
        MetricsLog log = new MetricsLog(runDir.resolve("metrics.jsonl"));
        try (AdamW opt = new AdamW(trainable, s.weightDecay(), s.beta1(), s.beta2(), s.epsilon())) {
            TrainerState state = new TrainerState(0, 0, 0, null, -1, key);
            Optional<Path> ckpt = TrainingCheckpoint.find(runDir);
            boolean resumed = ckpt.isPresent();
            if (resumed) {
                state = TrainingCheckpoint.state(ckpt.get());
                if (!key.equals(state.settings())) {
                    throw new UserException(runDir + " holds a checkpoint of a run with other settings or data; "
                            + "use another output directory or --overwrite");
                }
                TrainingCheckpoint.restore(ckpt.get(), model, opt, state);
            }
            log.truncateAfter(state.globalStep());
            progress.setTotal(total);
            progress.advance(state.globalStep());
            long step = state.globalStep();
            Double best = state.bestMetric();
            long bestStep = state.bestStep();
            Map<String, Double> bestEval = new LinkedHashMap<>();
            int epoch = state.epoch();
            int b = state.batchInEpoch();
            long logEvery = s.logSteps() > 0 ? s.logSteps() : Math.max(1, Math.round(stepsPerEpoch / 10.0));
            double lossSinceLog = 0;
            int stepsSinceLog = 0;
            long examplesSinceLog = 0;
            long tLog = System.nanoTime();
            List<int[]> batches = null;
            int batchesOfEpoch = -1;
            while (step < total) {
                if (batchesOfEpoch != epoch) {
                    batches = EpochOrder.batches(task, s, epoch);
                    batchesOfEpoch = epoch;
                }
                int micro = Math.min(s.gradientAccumulation(), batches.size() - b);
                model.train(true);
                double lossSum = 0;
                for (int k = 0; k < micro; k++) {
                    int[] batch = batches.get(b + k);
                    try (PointerScope scope = new PointerScope()) {
                        torch.manual_seed(dropoutSeed(s.seed(), step, k));
                        Tensor loss = task.loss(model, batch);
                        lossSum += loss.item_double();
                        loss.div(new org.bytedeco.pytorch.Scalar((double) micro)).backward();
                    }
                    examplesSinceLog += batch.length;
                }
                b += micro;
                double gradNorm;
                double lr = s.learningRate() * s.schedule().factor(step, warmup, total, s.learningRate());
                try (PointerScope scope = new PointerScope()) {
                    TensorVector grads = new TensorVector(trainable.values().toArray(new Tensor[0]));
                    gradNorm = torch.clip_grad_norm_(grads, s.maxGradNorm() > 0 ? s.maxGradNorm() : Double.MAX_VALUE);
                    opt.step(lr);
                    for (Tensor p : trainable.values()) {
                        Tensor g = p.grad();
                        if (g.defined()) {
                            g.zero_();
                        }
                    }
                }
                step++;
                progress.advance(1);
                lossSinceLog += lossSum / micro;
                stepsSinceLog++;
                boolean epochEnded = b >= batches.size();
                double epochPosition = epoch + (double) b / batches.size();
                if (step % logEvery == 0 || step == total) {
                    double secs = (System.nanoTime() - tLog) / 1e9;
                    Map<String, Object> line = new LinkedHashMap<>();
                    line.put("step", step);
                    line.put("epoch", round(epochPosition));
                    line.put("loss", lossSinceLog / stepsSinceLog);
                    line.put("learning_rate", lr);
                    line.put("grad_norm", gradNorm);
                    line.put("cells_per_s", examplesSinceLog / Math.max(secs, 1e-9));
                    log.write(line);
                    lossSinceLog = 0;
                    stepsSinceLog = 0;
                    examplesSinceLog = 0;
                    tLog = System.nanoTime();
                }
                boolean evaluate = (s.evalSteps() > 0 && step % s.evalSteps() == 0) || (s.evalSteps() <= 0 && epochEnded)
                        || step == total;
                if (evaluate) {
                    Map<String, Double> m = evaluate(model, task);
                    if (!m.isEmpty()) {
                        Map<String, Object> line = new LinkedHashMap<>();
                        line.put("step", step);
                        line.put("epoch", round(epochPosition));
                        m.forEach((k, v) -> line.put("eval_" + k, v));
                        log.write(line);
                        Double v = m.get(s.bestMetric());
                        if (v == null) {
                            throw new UserException("the evaluation has no metric '" + s.bestMetric() + "' (has " + m.keySet() + ")");
                        }
                        if (best == null || (s.bestIsMinimum() ? v < best : v > best)) {
                            best = v;
                            bestStep = step;
                            saveBest(model);
                        }
                    }
                }
                int nextEpoch = epochEnded ? epoch + 1 : epoch;
                int nextBatch = epochEnded ? 0 : b;
                boolean stop = stopAfterSteps >= 0 && step >= stopAfterSteps && step < total;
                if ((s.saveSteps() > 0 && step % s.saveSteps() == 0) || (s.saveSteps() <= 0 && (epochEnded || evaluate)) || stop) {
                    TrainingCheckpoint.save(runDir, model, opt, new TrainerState(step, nextEpoch, nextBatch, best, bestStep, key));
                }
                epoch = nextEpoch;
                b = nextBatch;
                if (stop) {
                    return new Result(step, total, Map.of(), bestStep, resumed, false);
                }
            }
            progress.finish();
            Path bestDir = runDir.resolve("best");
            if (s.loadBestAtEnd() && Files.isRegularFile(bestDir.resolve(Checkpoint.SAFETENSORS))) {
                model.loadParameters(Checkpoint.load(bestDir).tensors());
            }
            for (var line : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
                if (line.path("step").asLong() == bestStep && line.has("eval_" + s.bestMetric())) {
                    line.fields().forEachRemaining(e -> {
                        if (e.getKey().startsWith("eval_") && e.getValue().isNumber()) {
                            bestEval.put(e.getKey().substring(5), e.getValue().asDouble());
                        }
                    });
                }
            }
            return new Result(step, total, bestEval, bestStep, resumed, true);
        } finally {
            for (Tensor p : model.parameters().values()) {
                p.requires_grad_(false);
            }
        }
    }

    private static Map<String, Double> evaluate(BertModel model, TrainingTask task) {
        model.train(false);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            return task.evaluate(model);
        }
    }

    private void saveBest(BertModel model) {
        try (AtomicDirectory out = AtomicDirectory.create(runDir.resolve("best"), true)) {
            model.save(out.staging());
            out.commit();
        } catch (IOException e) {
            throw new UserException("cannot write the best model in " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** The dropout seed of micro-batch {@code k} of optimizer step {@code step}: a resumed run draws the same masks. */
    static long dropoutSeed(long seed, long step, int k) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + k * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }

    private static double round(double v) {
        return Math.round(v * 1e4) / 1e4;
    }
}
