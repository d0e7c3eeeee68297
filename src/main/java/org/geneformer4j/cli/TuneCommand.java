package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.classify.Split;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.tune.SearchSpace;
import org.geneformer4j.tune.Sampler;
import org.geneformer4j.tune.Study;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "tune", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Hyperparameter search for a cell classifier (upstream's Classifier with n_hyperopt_trials):",
                "each trial fine-tunes on the same split; the objective is validation macro F1.",
                "OUTPUT holds trial-NNN/, trials.jsonl, report.csv and best_model/; run again after a kill to resume.",
                "With --devices, one trial runs on each device at a time."})
final class TuneCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    CellDataOptions data;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Study directory.")
    Path output;

    @Option(names = "--trials", defaultValue = "8", description = "Number of trials. Default: ${DEFAULT-VALUE}.")
    int trials;

    @Option(names = "--sampler", defaultValue = "tpe", description = "tpe or random. Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--space", paramLabel = "JSON", description = "Search space replacing parts of upstream's default (see docs).")
    Path space;

    @Option(names = "--multitask", split = ",", paramLabel = "COLUMN",
            description = "Tune a multi-task classifier of these label columns instead of --label (upstream's MTLClassifier study; objective: validation loss).")
    List<String> multitask;

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    TrainOptions train;

    @Override
    public Integer call() throws Exception {
        if (train.nprocPerNode > 1) {
            throw new org.geneformer4j.util.UserException("tune runs one trial per device (--devices); --nproc-per-node is for finetune and pretrain");
        }
        // each task of a torchrun or srun job would run the whole study into the same directory
        org.geneformer4j.distributed.Cluster job = org.geneformer4j.distributed.Cluster.fromEnvironment();
        if (job.distributed()) {
            throw new org.geneformer4j.util.UserException("tune runs its trials in one process, one per device (--devices 0,1,...);"
                    + " start it once, not as the " + job.worldSize() + " tasks of a torchrun or Slurm job");
        }
        if (multitask == null) {
            data.requireLabel();
        }
        if (trials < 1) {
            throw new org.geneformer4j.util.UserException("--trials must be at least 1");
        }
        try (ModelSession session = model.open()) {
            return tune(session);
        }
    }

    private int tune(ModelSession r) throws Exception {
        if (multitask != null) {
            return FinetuneMultitaskCommand.tune(r, data, multitask, train, output, trials, sampler, space, overwrite.overwrite);
        }
        TrainSettings base = train.settings(r.config().numLayers(), 1);
        CellSelection.Prepared cells = data.prepare(r, base.seed());
        Split split = data.split(cells, base.seed());
        if (split.valid().isEmpty()) {
            throw new org.geneformer4j.util.UserException("tuning selects on validation macro F1: --split needs a valid part");
        }
        if (overwrite.overwrite) {
            OutputGuard.check(output, true, OutputGuard.Kind.directoryWith("study (study.json)", "study.json"),
                    OutputGuard.paths(data.common.input, data.splitFile, space, model.model));
            AtomicDirectory.deleteRecursively(output);
        }
        SearchSpace sp = space == null ? SearchSpace.upstream() : SearchSpace.read(space);
        Study study = new Study(output, sp, new Sampler(sampler, base.seed()), trials, "macro_f1");
        study.open(r.name() + " | " + data.common.input.toAbsolutePath() + " | " + data.label + " | " + sp + " | " + sampler + " | seed "
                + base.seed() + " | split " + split.train().size() + "/" + split.valid().size() + "/" + split.test().size());
        Main.log().info(String.format(Locale.ROOT, "study %s: %d trials (%d finished), %s sampler; %d train, %d valid, %d test cells",
                output, trials, study.finished().size(), sampler, split.train().size(), split.valid().size(), split.test().size()));
        List<org.bytedeco.pytorch.Device> devices = r.devices();
        org.geneformer4j.train.Trainer.requirePrecision(r.dtype());
        org.geneformer4j.quant.LoraSettings lora = data.common.lora(r);
        List<Study.Trial> all = study.run(devices, (params, dir, device) -> {
            TrainSettings s = apply(base, params);
            ClassifierRun.Base b = new ClassifierRun.Base(r.checkpoint(), r.name(), device, r.dtype(), data.common.freezeLayers,
                    data.common.evalBatch, lora, org.geneformer4j.distributed.DataParallel.single(), train.packed);
            return ClassifierRun.cells(b, cells, split, s, dir, train.stopAfterSteps, Main.log()::info);
        }, Main.log()::info);
        if (all.size() < trials) {
            Main.log().info("stopped with " + all.size() + " of " + trials + " trials finished; run again to go on");
            return 0;
        }
        study.finish();
        Study.Trial best = study.best();
        Main.log().info(String.format(Locale.ROOT, "best: trial %d, validation macro F1 %.4f, test macro F1 %.4f; model in %s",
                best.number(), best.valid().get("macro_f1"), best.test().getOrDefault("macro_f1", Double.NaN), output.resolve("best_model")));
        System.out.print(java.nio.file.Files.readString(output.resolve("report.csv")));
        return 0;
    }

    /** The trial's settings: the base settings with the sampled values in place. */
    static TrainSettings apply(TrainSettings b, Map<String, Object> p) {
        double lr = num(p, "learning_rate", b.learningRate());
        double wd = num(p, "weight_decay", b.weightDecay());
        Schedule sched = p.containsKey("lr_scheduler_type") ? Schedule.parse(String.valueOf(p.get("lr_scheduler_type"))) : b.schedule();
        long warmup = (long) num(p, "warmup_steps", b.warmupSteps());
        double epochs = num(p, "num_train_epochs", b.epochs());
        long seed = (long) num(p, "seed", b.seed());
        int batch = (int) num(p, "per_device_train_batch_size", b.batchSize());
        return b.with(lr, wd, sched, warmup, epochs, seed, batch);
    }

    private static double num(Map<String, Object> p, String k, double dflt) {
        Object v = p.get(k);
        return v instanceof Number n ? n.doubleValue() : v == null ? dflt : Double.parseDouble(v.toString());
    }
}
