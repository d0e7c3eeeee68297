package org.geneformer4j.multitask;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.geneformer4j.train.Curves;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.train.Trainer;
import org.geneformer4j.train.TrainingCheckpoint;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * One multi-task fine-tuning run in a directory, laid out as {@code finetune cell}'s: {@code model/} (every weight,
 * heads included, and {@value MultiTaskModel#SPEC}), optionally {@code backbone/} (the encoder alone, for
 * {@code embed} and {@code perturb}), {@code metrics.json} (per task and overall, validation and test),
 * {@code predictions.csv} (test cells, else validation), {@code splits.csv}, {@code metrics.jsonl} and
 * {@code training_curves.png}. A killed run resumes from its newest {@code checkpoint-STEP/}; {@code metrics.json} is
 * written last and marks the run complete. In a data-parallel job ({@link ClassifierRun.Base#parallel()}) every rank
 * trains its share of each batch ({@link MultiTaskTask#lossPart}) and rank 0 alone evaluates and writes the outputs.
 */
public final class MultiTaskRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** How the model is built and its tasks weighed; {@code saveBackbone} also writes {@code backbone/}. */
    public record Spec(MultiTaskModel.Pooling pooling, double dropout, double[] taskWeights, boolean saveBackbone) {
        public Spec {
            for (double w : taskWeights) {
                if (!(w >= 0) || Double.isInfinite(w)) {
                    throw new UserException("--task-weights must be finite and not negative, not " + Arrays.toString(taskWeights));
                }
            }
            if (Arrays.stream(taskWeights).sum() <= 0) {
                throw new UserException("--task-weights: at least one task needs a weight above 0");
            }
        }

        @Override
        public String toString() {
            return "pooling " + pooling.label() + ", dropout " + dropout + ", task weights " + Arrays.toString(taskWeights);
        }
    }

    private MultiTaskRun() {}

    /**
     * The settings with the best model chosen by {@code metric} (upstream's multi-task objective is the validation
     * loss) and, unless given, no fixed warmup: warmup is a ratio of the steps there, never the classifier's 500 steps.
     */
    public static TrainSettings settings(TrainSettings s, Long warmupSteps, String metric) {
        return new TrainSettings(s.learningRate(), s.weightDecay(), s.schedule(), warmupSteps == null ? 0 : warmupSteps, s.warmupRatio(),
                s.epochs(), s.batchSize(), s.gradientAccumulation(), s.maxGradNorm(), s.seed(), s.groupByLength(), s.evalSteps(),
                s.saveSteps(), s.logSteps(), metric, s.loadBestAtEnd(), s.beta1(), s.beta2(), s.epsilon(), s.saveTotalLimit());
    }

    public static ClassifierRun.Outcome run(ClassifierRun.Base base, MultiTaskCells data, Split split, Spec spec, TrainSettings s, Path dir,
            long stopAfter, Consumer<String> info) {
        if (spec.taskWeights().length != data.tasks().size()) {
            throw new UserException("--task-weights gives " + spec.taskWeights().length + " weight(s) for " + data.tasks().size() + " task(s)");
        }
        if (ClassifierRun.complete(dir)) {
            return read(dir);
        }
        String identity = base.modelName() + " | tasks " + data.tasks() + " | split " + fingerprint(split) + " | " + spec;
        try (MultiTaskModel model = MultiTaskModel.create(base.checkpoint(), data.tasks(), spec.pooling(), spec.dropout(), base.device(),
                base.dtype(), s.seed())) {
            MultiTaskTask task = new MultiTaskTask(model, data, split.train(), split.valid(), spec.taskWeights(), base.evalBatch());
            Trainer.Result r = ClassifierRun.train(base, s, dir, stopAfter, identity, model.encoder(), task, info);
            if (!ClassifierRun.keeps(base, r)) {
                return new ClassifierRun.Outcome(Map.of(), Map.of(), r.finished()); // rank 0 alone evaluates and writes
            }
            try (AtomicDirectory out = AtomicDirectory.create(dir.resolve("model"), true)) {
                model.save(out.staging());
                out.commit();
            }
            if (spec.saveBackbone()) {
                try (AtomicDirectory out = AtomicDirectory.create(dir.resolve("backbone"), true)) {
                    model.saveBackbone(out.staging(), base.checkpoint());
                    out.commit();
                }
            }
            MultiTaskMetrics valid = split.valid().isEmpty() ? null
                    : MultiTaskMetrics.of(model, data, split.valid(), spec.taskWeights(), base.evalBatch());
            MultiTaskMetrics test = split.test().isEmpty() ? null
                    : MultiTaskMetrics.of(model, data, split.test(), spec.taskWeights(), base.evalBatch());
            if (test != null || valid != null) {
                (test != null ? test : valid).writePredictions(dir.resolve("predictions.csv"));
            }
            split.write(dir.resolve("splits.csv"));
            Path picture = dir.resolve("training_curves.png");
            Curves.drawBeside(() -> MultiTaskCurves.plot(dir.resolve("metrics.jsonl"), picture,
                    "multi-task training of " + dir.getFileName(), data.tasks().stream().map(MultiTaskCells.TaskLabels::column).toList()),
                    picture, info);
            ObjectNode o = JSON.createObjectNode();
            o.put("model", base.modelName());
            o.put("steps", r.steps());
            o.put("best_step", r.bestStep());
            o.put("selected_on", "validation " + s.bestMetric());
            o.put("pooling", spec.pooling().label());
            o.put("dropout", spec.dropout());
            o.put("freeze_layers", base.freezeLayers());
            if (valid != null) {
                o.set("valid", valid.json());
            }
            if (test != null) {
                o.set("test", test.json());
            }
            AtomicFile.writeString(dir.resolve("metrics.json"), JSON.writeValueAsString(o) + "\n");
            TrainingCheckpoint.removeAll(dir);
            return new ClassifierRun.Outcome(valid == null ? Map.of() : valid.summary(), test == null ? Map.of() : test.summary(), true);
        } catch (IOException e) {
            throw new UserException("cannot write in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** The figures of a complete run, as {@link MultiTaskMetrics#summary()} gave them. */
    public static ClassifierRun.Outcome read(Path dir) {
        try {
            var o = JSON.readTree(dir.resolve("metrics.json").toFile());
            return new ClassifierRun.Outcome(summary(o.path("valid")), summary(o.path("test")), true);
        } catch (IOException e) {
            throw new UserException("cannot read " + dir.resolve("metrics.json") + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> summary(com.fasterxml.jackson.databind.JsonNode set) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (String k : List.of("loss", "unweighted_loss", "accuracy", "macro_f1")) {
            if (set.path(k).isNumber()) {
                m.put(k, set.get(k).asDouble());
            }
        }
        set.path("tasks").fields().forEachRemaining(t -> {
            for (String k : List.of("loss", "accuracy", "macro_f1")) {
                if (t.getValue().path(k).isNumber()) {
                    m.put(t.getKey() + "." + k, t.getValue().get(k).asDouble());
                }
            }
        });
        return m;
    }

    /** One log line per task and set: what the command reports at the end. */
    public static void report(ClassifierRun.Outcome o, List<String> tasks, Consumer<String> info) {
        for (var set : List.of(Map.entry("validation", o.valid()), Map.entry("test", o.test()))) {
            for (String t : tasks) {
                Double acc = set.getValue().get(t + ".accuracy");
                if (acc != null) {
                    info.accept(String.format(Locale.ROOT, "%s %s: accuracy %.4f, macro F1 %.4f", t, set.getKey(), acc,
                            set.getValue().get(t + ".macro_f1")));
                }
            }
        }
    }

    /** Which cells are in which set: a checkpoint of another split is not resumed. */
    static String fingerprint(Split split) {
        StringBuilder sb = new StringBuilder();
        for (List<LabeledCell> l : List.of(split.train(), split.valid(), split.test())) {
            sb.append(l.size()).append(':').append(l.stream().map(LabeledCell::id).toList().hashCode()).append(' ');
        }
        return sb.toString().trim();
    }
}
