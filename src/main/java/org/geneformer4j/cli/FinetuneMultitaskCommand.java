package org.geneformer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.CrossValidation;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.multitask.MultiTaskCells;
import org.geneformer4j.multitask.MultiTaskModel;
import org.geneformer4j.multitask.MultiTaskRun;
import org.geneformer4j.multitask.MultiTaskSearch;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.tune.Sampler;
import org.geneformer4j.tune.SearchSpace;
import org.geneformer4j.tune.Study;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "multitask", mixinStandardHelpOptions = true, sortOptions = false,
        defaultValueProvider = FinetuneMultitaskCommand.UpstreamDefaults.class,
        description = {"Fine-tune one model on several cell label columns at once (upstream's MTLClassifier): the pretrained",
                "encoder, a pooled cell vector, one linear head per task; loss = sum of task weight x cross-entropy.",
                "Cells without a label for a task (empty, nan) count only in the other tasks. Training defaults are",
                "upstream's multi-task ones; the kept model is the one of lowest validation loss (--no-load-best: the last).",
                "OUTPUT holds model/ (with heads), metrics.json, predictions.csv, splits.csv, metrics.jsonl,",
                "training_curves.png and, with --save-backbone, backbone/; a killed run resumes when run again.",
                "--nproc-per-node N trains N data-parallel processes, as finetune cell; under torchrun or Slurm each task is a rank."})
final class FinetuneMultitaskCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    ClassifierOptions common;

    @Mixin
    TaskOptions tasks;

    @Option(names = "--split", defaultValue = "train=0.8,valid=0.1,test=0.1", description = "Fractions, stratified by the first task. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--split-by", paramLabel = "COLUMN", description = "Split whole groups (e.g. donor) so that no value is in two sets.")
    String splitBy;

    @Option(names = "--split-file", paramLabel = "CSV", description = "Explicit sets: CSV with cell_id,split (train, valid, test).")
    Path splitFile;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Option(names = "--save-backbone", description = "Also write OUTPUT/backbone/: the fine-tuned encoder alone (BertForMaskedLM), for embed and perturb.")
    boolean saveBackbone;

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    TrainOptions train;

    /** The task columns and how the model weighs and pools them; the weights and pooling are searched by tune --multitask. */
    static final class TaskOptions {
        @Option(names = "--tasks", required = true, split = ",", paramLabel = "COLUMN", description = "Label columns, one task each (the first stratifies the split).")
        List<String> columns;

        @Option(names = "--task-weights", split = ",", paramLabel = "W", description = "Weight of each task's loss, in --tasks order (default: 1 each).")
        List<Double> weights;

        @Option(names = "--pooling", defaultValue = "attention", description = "attention (a learned vector over the tokens, padding masked) or cls (first token). Default: ${DEFAULT-VALUE}.")
        String pooling;

        @Option(names = "--dropout", defaultValue = "0.1", description = "Dropout on the pooled vector. Default: ${DEFAULT-VALUE}.")
        double dropout;

        double[] weights() {
            double[] w = new double[columns.size()];
            if (weights == null || weights.isEmpty()) {
                java.util.Arrays.fill(w, 1.0);
                return w;
            }
            if (weights.size() != columns.size()) {
                throw new UserException("--task-weights gives " + weights.size() + " weight(s) for the " + columns.size() + " --tasks");
            }
            for (int i = 0; i < w.length; i++) {
                w[i] = weights.get(i);
            }
            return w;
        }
    }

    /**
     * Upstream's multi-task defaults (MTLClassifier's manual hyperparameters: learning rate 1e-3, weight decay 0.1,
     * cosine, warmup ratio 0.01, batch 4, one epoch) where the shared training options default to the classifier's.
     * Upstream's manual default also freezes 2 layers; that would freeze all of a 2-layer model, so 0 stays.
     */
    static final class UpstreamDefaults implements CommandLine.IDefaultValueProvider {
        private static final Map<String, String> VALUES = Map.of("--learning-rate", "1e-3", "--weight-decay", "0.1", "--schedule", "cosine",
                "--warmup-ratio", "0.01", "--batch-size", "4", "--epochs", "1");

        @Override
        public String defaultValue(CommandLine.Model.ArgSpec arg) {
            return arg instanceof CommandLine.Model.OptionSpec o ? VALUES.get(o.longestName()) : null;
        }
    }

    @Override
    public Integer call() throws IOException {
        Log log = Main.log();
        refusePacked(train);
        if (train.launches()) {
            return org.geneformer4j.distributed.LocalLauncher.run(Main.args, train.nprocPerNode, log);
        }
        try (ModelSession session = model.open()) {
            TrainSettings s = MultiTaskRun.settings(train.settings(session.config().numLayers(), 1), train.warmupSteps, "loss");
            MultiTaskRun.Spec spec = new MultiTaskRun.Spec(MultiTaskModel.Pooling.parse(tasks.pooling), tasks.dropout, tasks.weights(), saveBackbone);
            MultiTaskCells cells = readCells(session, common, tasks.columns, splitBy, s.seed(), log);
            Split sp = split(cells, SplitSizes.parse(split), splitBy, splitFile, s.seed());
            log.info("split: " + sp.train().size() + " train, " + sp.valid().size() + " valid, " + sp.test().size() + " test cells");
            ClassifierRun.Base base = common.base(session, train);
            CrossValidation.prepareOutput(base.parallel(), output, overwrite.overwrite, OutputGuard.paths(common.input, splitFile, model.model));
            ClassifierRun.Outcome o = MultiTaskRun.run(base, cells, sp, spec, s, output, train.stopAfterSteps, log::info);
            if (o.finished()) {
                log.info("finished " + output);
                MultiTaskRun.report(o, tasks.columns, log::info);
            }
            return 0;
        }
    }

    static MultiTaskCells readCells(ModelSession session, ClassifierOptions common, List<String> columns, String splitBy, long seed, Log log) {
        MultiTaskCells cells = MultiTaskCells.read(common.input, columns, splitBy, common.filter.map(), session.tokenCheck(), common.cells.maxCells,
                seed, log::info);
        List<String> desc = new ArrayList<>();
        cells.tasks().forEach(t -> desc.add(t.column() + " (" + t.classes().size() + ": " + String.join(", ", t.classes()) + ")"));
        log.info(cells.cells().size() + " cells; tasks " + String.join("; ", desc));
        return cells;
    }

    /** As finetune cell splits: a split file, whole groups, or stratified by the first task's classes. */
    static Split split(MultiTaskCells cells, SplitSizes sizes, String splitBy, Path splitFile, long seed) {
        if (splitFile != null) {
            return Split.fromFile(cells.cells(), splitFile);
        }
        return splitBy != null ? Split.byGroup(cells.cells(), sizes, seed) : Split.stratified(cells.cells(), sizes, seed);
    }

    /**
     * {@code tune --multitask}: upstream's multi-task study on the tune engine, every trial a multi-task run on the same
     * split, ranked by the validation loss with the tasks weighed equally ({@link MultiTaskSearch}).
     */
    /** The multi-task model pools padded rows (attention pooling over a padded mask): it has no packed path yet. */
    static void refusePacked(TrainOptions train) {
        if (train.packed) {
            throw new UserException("--packed is built for finetune cell, finetune gene and pretrain; multi-task training runs padded batches");
        }
    }

    static int tune(ModelSession r, CellDataOptions data, List<String> columns, TrainOptions train, Path output, int trials, String sampler,
            Path space, boolean overwrite) throws Exception {
        refusePacked(train);
        if (data.label != null) {
            throw new UserException("--multitask names the label columns; leave out --label");
        }
        Log log = Main.log();
        int layers = r.config().numLayers();
        TrainSettings base = train.settings(layers, 1);
        MultiTaskCells cells = readCells(r, data.common, columns, data.splitBy, base.seed(), log);
        Split split = split(cells, data.sizes(), data.splitBy, data.splitFile, base.seed());
        if (split.valid().isEmpty()) {
            throw new UserException("tuning selects on the validation loss: --split needs a valid part");
        }
        if (overwrite) {
            OutputGuard.check(output, true, OutputGuard.Kind.directoryWith("study (study.json)", "study.json"),
                    OutputGuard.paths(data.common.input, data.splitFile, space, r.name()));
            AtomicDirectory.deleteRecursively(output);
        }
        SearchSpace defaults = MultiTaskSearch.upstream(columns, layers);
        SearchSpace sp = space == null ? defaults : SearchSpace.read(space, defaults);
        Study study = new Study(output, sp, new Sampler(sampler, base.seed()), trials, MultiTaskSearch.OBJECTIVE, true);
        study.open("multitask | " + r.name() + " | " + data.common.input.toAbsolutePath() + " | " + cells.tasks() + " | " + sp + " | " + sampler
                + " | seed " + base.seed() + " | " + base + " | split " + split.train().size() + "/" + split.valid().size() + "/" + split.test().size());
        log.info(String.format(Locale.ROOT, "multi-task study %s: %d trials (%d finished), %s sampler; %d train, %d valid, %d test cells",
                output, trials, study.finished().size(), sampler, split.train().size(), split.valid().size(), split.test().size()));
        CrossValidation.requireFp32(r.dtype());
        List<Study.Trial> all = study.run(r.devices(), (params, dir, device) -> {
            MultiTaskSearch.Trial t = MultiTaskSearch.apply(base, params, columns, layers);
            ClassifierRun.Base b = new ClassifierRun.Base(r.checkpoint(), r.name(), device, r.dtype(), t.freezeLayers(), data.common.evalBatch);
            return MultiTaskRun.run(b, cells, split, t.spec(), t.settings(), dir, train.stopAfterSteps, log::info);
        }, log::info);
        if (all.size() < trials) {
            log.info("stopped with " + all.size() + " of " + trials + " trials finished; run again to go on");
            return 0;
        }
        study.finish();
        Study.Trial best = study.best();
        log.info(String.format(Locale.ROOT, "best: trial %d, validation loss (tasks weighed equally) %.4f, mean test macro F1 %.4f; model in %s",
                best.number(), best.valid().get(MultiTaskSearch.OBJECTIVE), best.test().getOrDefault("macro_f1", Double.NaN), output.resolve("best_model")));
        System.out.print(Files.readString(output.resolve("report.csv")));
        return 0;
    }
}
