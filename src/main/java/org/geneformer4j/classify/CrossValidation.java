package org.geneformer4j.classify;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BiFunction;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;

/**
 * The output directory of {@code finetune}: one run, or K folds in {@code fold-K/} with their mean in
 * {@code cv_metrics.json}. A directory holding a checkpoint is resumed; a finished one is replaced only with
 * {@code --overwrite}.
 */
public final class CrossValidation {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a fine-tuning run leaves in its directory, by which --overwrite recognises one. */
    public static final OutputGuard.Kind RUN = OutputGuard.Kind.directoryWith("fine-tuning run (metrics.json, metrics.jsonl, checkpoint-STEP/ or fold-1/)",
            "metrics.json", "metrics.jsonl", "checkpoint-*", "cv_metrics.json", "fold-1");

    private CrossValidation() {}

    /**
     * A fresh output unless --overwrite; an existing one with a checkpoint in it is resumed. Rank 0 of a data-parallel
     * job prepares it; the other ranks wait until it has.
     */
    public static void prepareOutput(org.geneformer4j.distributed.DataParallel parallel, Path out, boolean overwrite, List<Path> inputs) {
        if (parallel.isMain()) {
            prepareOutput(out, overwrite, inputs);
        }
        parallel.barrier();
    }

    private static void prepareOutput(Path out, boolean overwrite, List<Path> inputs) {
        try {
            if (overwrite) {
                OutputGuard.check(out, true, RUN, inputs);
                AtomicDirectory.deleteRecursively(out);
            } else if (ClassifierRun.complete(out) || Files.isRegularFile(out.resolve("cv_metrics.json"))) {
                throw new UserException(out + " already holds a finished run (pass --overwrite to replace it)");
            }
            Files.createDirectories(out);
        } catch (IOException e) {
            throw new UserException("cannot create " + out + ": " + e.getMessage(), e);
        }
    }

    /** Multi-task training has no mixed precision yet (its loss and pooling are not checked under autocast). */
    public static void requireFp32(ScalarType dtype) {
        if (dtype.value != ScalarType.Float.value) {
            throw new UserException("multi-task training runs in fp32 (bf16 mixed precision is built for finetune cell, finetune gene,"
                    + " tune and pretrain): leave out --dtype");
        }
    }

    public static void report(String what, ClassifierRun.Outcome o, Log log) {
        Map<String, Double> m = o.test().isEmpty() ? o.valid() : o.test();
        log.info(String.format(Locale.ROOT, "%s (%s set): accuracy %.4f, macro F1 %.4f%s", what, o.test().isEmpty() ? "validation" : "test",
                m.getOrDefault("accuracy", Double.NaN), m.getOrDefault("macro_f1", Double.NaN),
                m.containsKey("auc") ? String.format(Locale.ROOT, ", AUC %.4f", m.get("auc")) : ""));
    }

    /** Runs fold 1..n in OUTPUT/fold-K (a stopped fold ends the command) and writes the mean over the folds. */
    public static void runFolds(Path out, int n, BiFunction<Integer, Path, ClassifierRun.Outcome> fold, Log log) throws IOException {
        List<ClassifierRun.Outcome> outcomes = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            ClassifierRun.Outcome o = fold.apply(f, out.resolve("fold-" + (f + 1)));
            if (!o.finished()) {
                return;
            }
            report("fold " + (f + 1), o, log);
            outcomes.add(o);
        }
        writeSummary(out, outcomes);
    }

    /** Mean of each figure over the folds, with the folds themselves. */
    static void writeSummary(Path out, List<ClassifierRun.Outcome> folds) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        ObjectNode mean = o.putObject("mean_test");
        for (String k : List.of("accuracy", "macro_f1", "auc", "loss")) {
            double s = 0;
            int n = 0;
            for (ClassifierRun.Outcome f : folds) {
                Double v = (f.test().isEmpty() ? f.valid() : f.test()).get(k);
                if (v != null) {
                    s += v;
                    n++;
                }
            }
            if (n > 0) {
                mean.put(k, s / n);
            }
        }
        var arr = o.putArray("folds");
        for (ClassifierRun.Outcome f : folds) {
            ObjectNode x = arr.addObject();
            x.putPOJO("valid", f.valid());
            x.putPOJO("test", f.test());
        }
        AtomicFile.writeString(out.resolve("cv_metrics.json"), JSON.writeValueAsString(o) + "\n");
    }
}
