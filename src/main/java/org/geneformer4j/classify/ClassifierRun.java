package org.geneformer4j.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.train.Curves;
import org.geneformer4j.distributed.DataParallel;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.model.Head;
import org.geneformer4j.quant.LoraLinears;
import org.geneformer4j.quant.LoraSettings;
import org.geneformer4j.quant.PeftAdapter;
import org.geneformer4j.quant.Quantization;
import org.geneformer4j.quant.Quantizer;
import org.geneformer4j.tensor.Autocast;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.train.Trainer;
import org.geneformer4j.train.TrainingCheckpoint;
import org.geneformer4j.train.TrainingTask;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * One fine-tuning run in a directory: train (resuming a checkpoint there), then keep the result: {@code model/}
 * (loadable by transformers), {@code metrics.json} (validation and test), {@code predictions.csv} (test cells, else
 * validation), {@code metrics.jsonl} (the training curves) and {@code training_curves.png}. {@code metrics.json} is written last: it marks the run
 * complete, and a complete run is not trained again.
 */
public final class ClassifierRun {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /**
     * What every run of one study shares: the starting checkpoint, where it runs and in which precision ({@code dtype}:
     * fp32, or bf16 mixed precision over fp32 weights, {@link Trainer#autocast}), {@code lora}: adapters to train over
     * frozen (possibly NF4) base weights instead of the full model, or null, the data-parallel group it trains in, and
     * whether its batches are packed end to end without padding (training and evaluation).
     */
    public record Base(Checkpoint checkpoint, String modelName, Device device, ScalarType dtype, int freezeLayers, int evalBatch,
            LoraSettings lora, DataParallel parallel, boolean packed) {
        /** Full fine-tuning in one process, padded batches. */
        public Base(Checkpoint checkpoint, String modelName, Device device, ScalarType dtype, int freezeLayers, int evalBatch) {
            this(checkpoint, modelName, device, dtype, freezeLayers, evalBatch, null, DataParallel.single(), false);
        }
    }

    /** Validation and test figures (empty maps where the set is empty); {@code finished} false when stopped early. */
    public record Outcome(Map<String, Double> valid, Map<String, Double> test, boolean finished) {}

    private ClassifierRun() {}

    public static boolean complete(Path dir) {
        return Files.isRegularFile(dir.resolve("metrics.json"));
    }

    /** Reads the outcome of a complete run. */
    public static Outcome read(Path dir) {
        try {
            ObjectNode o = (ObjectNode) JSON.readTree(dir.resolve("metrics.json").toFile());
            return new Outcome(summary(o.path("valid")), summary(o.path("test")), true);
        } catch (IOException e) {
            throw new UserException("cannot read " + dir.resolve("metrics.json") + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Double> summary(com.fasterxml.jackson.databind.JsonNode n) {
        Map<String, Double> m = new java.util.LinkedHashMap<>();
        for (String k : List.of("loss", "accuracy", "macro_f1", "auc")) {
            if (n.path(k).isNumber()) {
                m.put(k, n.get(k).asDouble());
            }
        }
        return m;
    }

    public static Outcome cells(Base base, CellSelection.Prepared data, Split split, TrainSettings s, Path dir,
            long stopAfter, Consumer<String> info) {
        String identity = base.modelName() + " | cells " + data.classes() + " | split " + fingerprint(split);
        return run(base, data.classes(), Head.SEQUENCE_CLASSIFICATION, s, dir, stopAfter, identity,
                new CellTask(split.train(), split.valid(), data, base.evalBatch(), base.packed()), info, (m, o) -> {
                    ClassMetrics valid = split.valid().isEmpty() ? null : CellTask.metrics(m, split.valid(), data, base.evalBatch(), base.packed());
                    ClassMetrics test = split.test().isEmpty() ? null : CellTask.metrics(m, split.test(), data, base.evalBatch(), base.packed());
                    boolean onTest = test != null;
                    if (onTest || valid != null) {
                        CellTask.writePredictions(dir.resolve("predictions.csv"), onTest ? split.test() : split.valid(), onTest ? test : valid);
                    }
                    split.write(dir.resolve("splits.csv"));
                    return new ClassMetrics[] {valid, test};
                });
    }

    public static Outcome genes(Base base, List<LabeledCell> cells, GeneClasses genes, GeneTask.GeneSplit split, TrainSettings s,
            Path dir, long stopAfter, Consumer<String> info) {
        String identity = base.modelName() + " | genes " + genes.classes() + " | " + split.train().keySet().hashCode()
                + "/" + split.valid().keySet().hashCode() + " | " + cells.size() + " cells";
        return run(base, genes.classes(), Head.TOKEN_CLASSIFICATION, s, dir, stopAfter, identity,
                new GeneTask(cells, split, genes.classes(), base.evalBatch(), base.packed()), info, (m, o) -> {
                    List<String[]> rows = new ArrayList<>();
                    ClassMetrics valid = split.valid().isEmpty() ? null
                            : GeneTask.metrics(m, cells, split.valid(), genes.classes(), base.evalBatch(), null, base.packed());
                    ClassMetrics test = split.test().isEmpty() ? null
                            : GeneTask.metrics(m, cells, split.test(), genes.classes(), base.evalBatch(), rows, base.packed());
                    if (test != null) {
                        List<String[]> keys = rows.stream().map(r -> new String[] {r[0], genes.geneOfToken().get(Integer.parseInt(r[1]))}).toList();
                        PredictionTable.write(dir.resolve("predictions.csv"), List.of("cell_id", "ensembl_id"), keys, PredictionTable.names(test.classes(), test.truth()),
                                test.classes(), test.predicted(), test.probabilities());
                    }
                    return new ClassMetrics[] {valid, test};
                });
    }

    private interface Finish {
        ClassMetrics[] apply(BertModel model, Path dir);
    }

    private static Outcome run(Base base, List<String> classes, Head head, TrainSettings s, Path dir, long stopAfter,
            String identity, TrainingTask task, Consumer<String> info, Finish finish) {
        if (complete(dir)) {
            return read(dir);
        }
        Quantization q = base.lora() == null ? Quantization.NONE : base.lora().quantize();
        // fp32 weights whatever the precision: mixed precision autocasts the computation, the weights stay the master copy
        BertModel.Loaded loaded = BertModel.load(base.checkpoint(), head, classes, base.device(), ScalarType.Float, s.seed(),
                Quantizer.onHost(base.checkpoint().config(), q));
        try (BertModel model = loaded.model()) {
            LoraLinears lora = null;
            if (base.lora() != null) {
                lora = LoraLinears.install(model, base.lora(), s.seed(), loaded.onHost());
                identity += " | " + base.lora();
                long trainable = model.parameters().entrySet().stream().filter(e -> model.mayTrain(e.getKey()))
                        .mapToLong(e -> e.getValue().numel()).sum();
                info.accept(String.format(java.util.Locale.ROOT, "LoRA r %d, alpha %s on %s over %s weights: %,d trainable parameters"
                        + " (adapters and head); base weights %.1f MB", base.lora().r(), base.lora().alpha(),
                        String.join(",", base.lora().targets()), q == Quantization.NF4 ? "NF4" : "fp32", trainable,
                        lora.weightBytes() / 1e6));
            }
            Trainer.Result r = train(base, s, dir, stopAfter, identity, model, task, info);
            if (!keeps(base, r)) {
                return new Outcome(Map.of(), Map.of(), r.finished()); // rank 0 alone evaluates and writes the results
            }
            try (AtomicDirectory out = AtomicDirectory.create(dir.resolve("model"), true)) {
                if (lora != null) {
                    // the adapter and head as peft saves them; the base stays where it was
                    PeftAdapter.write(out.staging(), model, lora, baseModelPath(base.modelName()));
                } else {
                    model.save(out.staging());
                }
                out.commit();
            }
            ClassMetrics[] m;
            try (Autocast a = Autocast.to(base.device(), base.dtype())) { // evaluated as during training
                m = finish.apply(model, dir);
            }
            Path picture = dir.resolve("training_curves.png");
            Curves.drawBeside(() -> Curves.plot(dir.resolve("metrics.jsonl"), picture,
                    "training of " + dir.getFileName()), picture, info);
            ObjectNode o = JSON.createObjectNode();
            o.put("model", base.modelName());
            o.put("steps", r.steps());
            o.put("best_step", r.bestStep());
            if (m[0] != null) {
                o.set("valid", m[0].json());
            }
            if (m[1] != null) {
                o.set("test", m[1].json());
            }
            AtomicFile.writeString(dir.resolve("metrics.json"), JSON.writeValueAsString(o) + "\n");
            TrainingCheckpoint.removeAll(dir);
            return new Outcome(m[0] == null ? Map.of() : m[0].summary(), m[1] == null ? Map.of() : m[1].summary(), true);
        } catch (IOException e) {
            throw new UserException("cannot write in " + dir + ": " + e.getMessage(), e);
        }
    }

    /** peft's base_model_name_or_path: a registry name as given, a directory made absolute so the adapter works from anywhere. */
    private static String baseModelPath(String name) {
        java.nio.file.Path p = java.nio.file.Path.of(name);
        return Files.isDirectory(p) ? p.toAbsolutePath().normalize().toString() : name;
    }

    /**
     * Trains {@code model} on {@code task} in {@code dir} as this process's rank of {@code base}'s job (resuming a
     * checkpoint there); rank 0 shows the progress and says whether it resumed or stopped early. Every fine-tuning
     * run trains through here, so one process and many take the same path.
     */
    public static Trainer.Result train(Base base, TrainSettings s, Path dir, long stopAfter, String identity, BertModel model,
            TrainingTask task, Consumer<String> info) {
        boolean main = base.parallel().isMain();
        Progress progress = main ? Progress.forStderr("train " + dir.getFileName(), "steps", 0) : Progress.silent();
        Trainer.Result r = new Trainer(s, dir, base.freezeLayers(), identity, progress).stopAfterSteps(stopAfter)
                .parallel(base.parallel()).autocast(base.dtype()).train(model, task);
        if (main && !base.parallel().backendName().equals("none")) {
            info.accept("trained as " + base.parallel().worldSize() + " rank(s), collectives over " + base.parallel().backendName());
        }
        if (main && r.resumedFrom()) {
            info.accept("resumed " + dir + " from its checkpoint");
        }
        if (main && base.packed()) {
            info.accept("packed attention " + org.geneformer4j.model.PackedAttention.describe());
        }
        if (main && !r.finished()) {
            info.accept("stopped after step " + r.steps() + " of " + r.totalSteps() + "; run again to resume");
        }
        return r;
    }

    /** Whether this process evaluates and writes the run's outputs: rank 0, once the run finished. */
    public static boolean keeps(Base base, Trainer.Result r) {
        return base.parallel().isMain() && r.finished();
    }

    static String fingerprint(Split split) {
        StringBuilder sb = new StringBuilder();
        for (List<LabeledCell> l : List.of(split.train(), split.valid(), split.test())) {
            sb.append(l.size()).append(':').append(l.stream().map(LabeledCell::id).toList().hashCode()).append(' ');
        }
        return sb.toString().trim();
    }
}
