package org.geneformer4j.cli;

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
import java.util.concurrent.Callable;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.GeneClasses;
import org.geneformer4j.classify.GeneTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "finetune", mixinStandardHelpOptions = true,
        description = {"Fine-tune a Geneformer classifier (upstream's Classifier).",
                "  cell   classify cells (BertForSequenceClassification)",
                "  gene   classify genes (BertForTokenClassification), cross-validated over genes",
                "OUTPUT holds model/ (transformers-loadable), metrics.json, predictions.csv, metrics.jsonl (curves);",
                "a killed run resumes from OUTPUT/checkpoint when run again."},
        subcommands = {FinetuneCommand.Cell.class, FinetuneCommand.Gene.class})
final class FinetuneCommand {
    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** What a fine-tuning run leaves in its directory, by which --overwrite recognises one. */
    static final OutputGuard.Kind RUN = OutputGuard.Kind.directoryWith("fine-tuning run (metrics.json, metrics.jsonl, checkpoint/ or fold-1/)",
            "metrics.json", "metrics.jsonl", "checkpoint", "cv_metrics.json", "fold-1");

    /** A fresh output unless --overwrite; an existing one with a checkpoint in it is resumed. */
    static void prepareOutput(Path out, boolean overwrite, List<Path> inputs) {
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

    /** Training in reduced-precision weights is not mixed precision, which is not built yet. */
    static void requireFp32(ModelOptions m) {
        if (m.scalarType() != org.bytedeco.pytorch.global.torch.ScalarType.Float) {
            throw new UserException("training runs in fp32; mixed precision is not built yet (leave out --dtype)");
        }
    }

    static void report(String what, ClassifierRun.Outcome o) {
        Map<String, Double> m = o.test().isEmpty() ? o.valid() : o.test();
        Main.info(String.format(Locale.ROOT, "%s (%s set): accuracy %.4f, macro F1 %.4f%s", what, o.test().isEmpty() ? "validation" : "test",
                m.getOrDefault("accuracy", Double.NaN), m.getOrDefault("macro_f1", Double.NaN),
                m.containsKey("auc") ? String.format(Locale.ROOT, ", AUC %.4f", m.get("auc")) : ""));
    }

    /** Runs fold 1..n in OUTPUT/fold-K (a stopped fold ends the command) and writes the mean over the folds. */
    static void runFolds(Path out, int n, java.util.function.BiFunction<Integer, Path, ClassifierRun.Outcome> fold) throws IOException {
        List<ClassifierRun.Outcome> outcomes = new ArrayList<>();
        for (int f = 0; f < n; f++) {
            ClassifierRun.Outcome o = fold.apply(f, out.resolve("fold-" + (f + 1)));
            if (!o.finished()) {
                return;
            }
            report("fold " + (f + 1), o);
            outcomes.add(o);
        }
        writeCvSummary(out, outcomes);
    }

    /** Mean of each figure over the folds, with the folds themselves. */
    static void writeCvSummary(Path out, List<ClassifierRun.Outcome> folds) throws IOException {
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

    @Command(name = "cell", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Fine-tune a cell classifier on a tokenized dataset's label column.")
    static final class Cell implements Callable<Integer> {
        @Mixin
        ModelOptions model;

        @Mixin
        CellDataOptions data;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory.")
        Path output;

        @Option(names = "--cv", defaultValue = "1", description = "Cross-validation folds (1: one split). Default: ${DEFAULT-VALUE}.")
        int cv;

        @Option(names = "--overwrite", description = "Replace a finished OUTPUT (and discard its checkpoint).")
        boolean overwrite;

        @Mixin
        TrainOptions train;

        @Override
        public Integer call() throws IOException {
            ModelOptions.Resolved r = model.resolve();
            TrainSettings s = train.settings(r.checkpoint().config().numLayers(), 10);
            CellSelection.Prepared cells = data.prepare(r, s.seed());
            Main.info(cells.cells().size() + " cells, " + cells.classes().size() + " classes: " + String.join(", ", cells.classes()));
            ClassifierRun.Base base = data.common.base(r, model);
            if (cv <= 1) {
                Split split = data.split(cells, s.seed());
                Main.info("split: " + split.train().size() + " train, " + split.valid().size() + " valid, " + split.test().size() + " test cells");
                prepareOutput(output, overwrite, OutputGuard.paths(data.common.input, data.splitFile, model.model));
                ClassifierRun.Outcome o = ClassifierRun.cells(base, cells, split, s, output, train.stopAfterSteps, Main::info);
                if (o.finished()) {
                    report("finished " + output, o);
                }
                return 0;
            }
            if (data.splitFile != null || data.splitBy != null) {
                throw new UserException("--cv makes its own stratified folds; it does not take --split-file or --split-by");
            }
            List<Split> folds = Split.folds(cells.cells(), cv, data.sizes(), s.seed());
            prepareOutput(output, overwrite, OutputGuard.paths(data.common.input, model.model));
            runFolds(output, folds.size(), (f, dir) -> ClassifierRun.cells(base, cells, folds.get(f), s, dir, train.stopAfterSteps, Main::info));
            return 0;
        }
    }

    @Command(name = "gene", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Fine-tune a gene classifier from classes of genes, cross-validated over the genes.")
    static final class Gene implements Callable<Integer> {
        @Mixin
        ModelOptions model;

        @Mixin
        ClassifierOptions common;

        @Option(names = "--gene-classes", required = true, paramLabel = "FILE",
                description = "Classes of genes: JSON {\"class\": [gene, ...]} or a gene,class TSV/CSV (Ensembl IDs or symbols).")
        Path geneClasses;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory.")
        Path output;

        @Option(names = "--cv", defaultValue = "5", description = "Folds over genes. Default: ${DEFAULT-VALUE}, as upstream.")
        int cv;

        @Option(names = "--folds-to-run", description = "Run only the first N folds (default: all).")
        Integer foldsToRun;

        @Option(names = "--valid-share", defaultValue = "0.5", description = "Share of a held-out fold's genes used for validation (the rest test). Default: ${DEFAULT-VALUE}.")
        double validShare;

        @Option(names = "--overwrite", description = "Replace a finished OUTPUT.")
        boolean overwrite;

        @Mixin
        TrainOptions train;

        @Override
        public Integer call() throws IOException {
            ModelOptions.Resolved r = model.resolve();
            TrainSettings s = train.settings(r.checkpoint().config().numLayers(), 1);
            if (cv < 2) {
                throw new UserException("finetune gene holds genes out: --cv needs at least 2 folds");
            }
            if (!(validShare >= 0 && validShare <= 1)) {
                throw new UserException("--valid-share must be in [0, 1], not " + validShare);
            }
            GeneClasses genes = GeneClasses.read(geneClasses, r.vocab(), Main::info);
            List<LabeledCell> cells = common.read(r, null, null);
            cells = cells.stream().filter(c -> java.util.Arrays.stream(c.tokens()).anyMatch(genes.classOfToken()::containsKey)).toList();
            if (cells.isEmpty()) {
                throw new UserException("no cell of " + common.input + " expresses any gene of " + geneClasses);
            }
            if (common.maxCells > 0 && cells.size() > common.maxCells) {
                List<LabeledCell> l = new ArrayList<>(cells);
                java.util.Collections.shuffle(l, new java.util.Random(s.seed()));
                cells = l.subList(0, common.maxCells);
            }
            Main.info(cells.size() + " cells express genes of " + genes.classes().size() + " classes (" + genes.classOfToken().size() + " genes)");
            ClassifierRun.Base base = common.base(r, model);
            List<GeneTask.GeneSplit> folds = GeneTask.folds(genes, cv, validShare, s.seed());
            int n = foldsToRun == null ? folds.size() : Math.min(foldsToRun, folds.size());
            List<LabeledCell> withGenes = cells;
            prepareOutput(output, overwrite, OutputGuard.paths(common.input, geneClasses, model.model));
            runFolds(output, n, (f, dir) -> ClassifierRun.genes(base, withGenes, genes, folds.get(f), s, dir, train.stopAfterSteps, Main::info));
            return 0;
        }
    }
}
