package org.geneformer4j.train;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Autocast;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.UserException;

/**
 * Evaluation during training and the best model it keeps: each evaluation is logged, and when its
 * {@link TrainSettings#bestMetric()} beats the best so far the model is written to {@code best/} (atomically).
 */
final class Evaluation {
    private final TrainSettings s;
    private final Path runDir;
    private Double best;
    private long bestStep;
    private final boolean writes;
    private final ScalarType autocast;

    /**
     * @param writes whether this process writes {@code best/} (rank 0 of a job); every rank keeps the same account
     * @param autocast the dtype evaluations autocast to, as training's forward passes (fp32: none)
     */
    Evaluation(TrainSettings s, Path runDir, Double best, long bestStep, boolean writes, ScalarType autocast) {
        this.autocast = autocast;
        this.s = s;
        this.writes = writes;
        this.runDir = runDir;
        this.best = best;
        this.bestStep = bestStep;
    }

    Double best() {
        return best;
    }

    long bestStep() {
        return bestStep;
    }

    /** Evaluates without gradients, logs the figures and keeps the model if it is the best yet. */
    void run(BertModel model, TrainingTask task, long step, double epoch, MetricsLog log) {
        Map<String, Double> m;
        model.train(false);
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard();
                Autocast a = Autocast.to(model.device(), autocast)) {
            m = task.evaluate(model);
        }
        if (m.isEmpty()) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("step", step);
        line.put("epoch", epoch);
        m.forEach((k, v) -> line.put("eval_" + k, v));
        log.write(line);
        Double v = m.get(s.bestMetric());
        if (v == null) {
            throw new UserException("the evaluation has no metric '" + s.bestMetric() + "' (has " + m.keySet() + ")");
        }
        if (best == null || (s.bestIsMinimum() ? v < best : v > best)) {
            best = v;
            bestStep = step;
            if (!writes) {
                return;
            }
            try (AtomicDirectory out = AtomicDirectory.create(runDir.resolve("best"), true)) {
                model.save(out.staging());
                out.commit();
            } catch (IOException e) {
                throw new UserException("cannot write the best model in " + runDir + ": " + e.getMessage(), e);
            }
        }
    }

    /** At the end: the best model's weights back in {@code model} (if asked for), and its figures from the log. */
    Map<String, Double> finish(BertModel model) {
        Path bestDir = runDir.resolve("best");
        if (s.loadBestAtEnd() && Files.isRegularFile(bestDir.resolve(Checkpoint.SAFETENSORS))) {
            model.loadParameters(Checkpoint.load(bestDir).tensors());
        }
        Map<String, Double> bestEval = new LinkedHashMap<>();
        for (var line : MetricsLog.read(runDir.resolve("metrics.jsonl"))) {
            if (line.path("step").asLong() == bestStep && line.has("eval_" + s.bestMetric())) {
                line.fields().forEachRemaining(e -> {
                    if (e.getKey().startsWith("eval_") && e.getValue().isNumber()) {
                        bestEval.put(e.getKey().substring(5), e.getValue().asDouble());
                    }
                });
            }
        }
        return bestEval;
    }
}
