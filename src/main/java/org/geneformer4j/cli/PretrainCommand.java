package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.geneformer4j.pretrain.PretrainRun;
import org.geneformer4j.pretrain.Recipe;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.util.Log;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "pretrain", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Masked gene modelling, as upstream's GeneformerPretrainer: pretraining of a new model (geneformer models init)",
                "or continual pretraining of a pretrained one (-m Geneformer-V2-104M, as the CLcancer models were made).",
                "OUTPUT holds model/ (BertForMaskedLM), metrics.jsonl, metrics.json, training_curves.png; a killed run resumes.",
                "--nproc-per-node N trains N data-parallel processes; under torchrun or Slurm each task is a rank."})
final class PretrainCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = {"-i", "--input"}, required = true, split = ",", paramLabel = "DATASET",
            description = "Tokenized datasets (this program's, Python datasets directories, Genecorpus parquet/arrow), concatenated.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Option(names = "--recipe", paramLabel = "NAME",
            description = "A published run's settings for the options not given: v1-10m, gf-12l-30m, gf-12l-95m or v2-104m.")
    String recipe;

    @Option(names = "--valid", paramLabel = "DATASET", description = "Validation cells (default: --valid-fraction of the input).")
    Path valid;

    @Option(names = "--valid-fraction", defaultValue = "0.01", description = "Share of the cells held out for validation. Default: ${DEFAULT-VALUE}.")
    double validFraction;

    @Option(names = "--mlm-probability", defaultValue = "0.15", description = "Share of the positions masked. Default: ${DEFAULT-VALUE} (upstream's).")
    double mlmProbability;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Cells per validation batch. Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    TrainOptions train;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Log log = Main.log();
        if (train.launches()) {
            return org.geneformer4j.distributed.LocalLauncher.run(Main.args, train.nprocPerNode, log);
        }
        new PretrainRun(inputs, valid, validFraction, output, overwrite.overwrite, settings(), mlmProbability, evalBatch,
                train.stopAfterSteps, train.timeout(), train.backend(), train.packed).run(model::open, log);
        return 0;
    }

    /** The training options, with the recipe's values where the user gave none; the best model is the lowest loss. */
    private TrainSettings settings() {
        TrainSettings s = train.settings(0, Recipe.EPOCHS);
        boolean groupByLength = true; // upstream's pretraining always groups by length
        double lr = s.learningRate();
        double wd = s.weightDecay();
        Schedule schedule = s.schedule();
        long warmup = s.warmupSteps();
        double warmupRatio = s.warmupRatio();
        int batch = s.batchSize();
        if (recipe != null) {
            Recipe r = Recipe.of(recipe);
            lr = given("--learning-rate") ? lr : r.learningRate;
            wd = given("--weight-decay") ? wd : r.weightDecay;
            schedule = given("--schedule") ? schedule : r.schedule;
            if (!given("--warmup-steps") && !given("--warmup-ratio")) {
                warmup = r.warmupSteps;
                warmupRatio = r.warmupRatio;
            }
            batch = given("--batch-size") ? batch : r.batchSize;
        }
        return new TrainSettings(lr, wd, schedule, warmup, warmupRatio, s.epochs(), batch, s.gradientAccumulation(), s.maxGradNorm(),
                s.seed(), groupByLength, s.evalSteps(), s.saveSteps(), s.logSteps(), "loss", false, s.beta1(), s.beta2(), s.epsilon(),
                s.saveTotalLimit());
    }

    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}
