package org.geneformer4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.CrossValidation;
import org.geneformer4j.classify.Split;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "cell", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune a cell classifier on a tokenized dataset's label column.")
final class FinetuneCellCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Mixin
    CellDataOptions data;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory.")
    Path output;

    @Option(names = "--cv", defaultValue = "1", description = "Cross-validation folds (1: one split). Default: ${DEFAULT-VALUE}.")
    int cv;

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    TrainOptions train;

    @Override
    public Integer call() throws IOException {
        data.requireLabel();
        Log log = Main.log();
        if (train.launches()) {
            return org.geneformer4j.distributed.LocalLauncher.run(Main.args, train.nprocPerNode, log);
        }
        try (ModelSession session = model.open()) {
            TrainSettings s = train.settings(session.config().numLayers(), 10);
            CellSelection.Prepared cells = data.prepare(session, s.seed());
            log.info(cells.cells().size() + " cells, " + cells.classes().size() + " classes: " + String.join(", ", cells.classes()));
            ClassifierRun.Base base = data.common.base(session, train);
            if (cv <= 1) {
                Split split = data.split(cells, s.seed());
                log.info("split: " + split.train().size() + " train, " + split.valid().size() + " valid, " + split.test().size() + " test cells");
                CrossValidation.prepareOutput(base.parallel(), output, overwrite.overwrite, OutputGuard.paths(data.common.input, data.splitFile, model.model));
                ClassifierRun.Outcome o = ClassifierRun.cells(base, cells, split, s, output, train.stopAfterSteps, log::info);
                if (o.finished()) {
                    CrossValidation.report("finished " + output, o, log);
                }
                return 0;
            }
            if (data.splitFile != null || data.splitBy != null) {
                throw new UserException("--cv makes its own stratified folds; it does not take --split-file or --split-by");
            }
            List<Split> folds = Split.folds(cells.cells(), cv, data.sizes(), s.seed());
            CrossValidation.prepareOutput(base.parallel(), output, overwrite.overwrite, OutputGuard.paths(data.common.input, model.model));
            CrossValidation.runFolds(output, folds.size(),
                    (f, dir) -> ClassifierRun.cells(base, cells, folds.get(f), s, dir, train.stopAfterSteps, log::info), log);
            return 0;
        }
    }
}
