package org.geneformer4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.CrossValidation;
import org.geneformer4j.classify.GeneClasses;
import org.geneformer4j.classify.GeneTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.engine.Sample;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "gene", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tune a gene classifier from classes of genes, cross-validated over the genes.")
final class FinetuneGeneCommand implements Callable<Integer> {
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

    @Mixin
    OverwriteOption overwrite;

    @Mixin
    TrainOptions train;

    @Override
    public Integer call() throws IOException {
        Log log = Main.log();
        if (train.launches()) {
            return org.geneformer4j.distributed.LocalLauncher.run(Main.args, train.nprocPerNode, log);
        }
        if (cv < 2) {
            throw new UserException("finetune gene holds genes out: --cv needs at least 2 folds");
        }
        if (!(validShare >= 0 && validShare <= 1)) {
            throw new UserException("--valid-share must be in [0, 1], not " + validShare);
        }
        try (ModelSession session = model.open()) {
            TrainSettings s = train.settings(session.config().numLayers(), 1);
            GeneClasses genes = GeneClasses.read(geneClasses, session.vocab(), log::info);
            List<LabeledCell> cells = common.read(session, null, null).stream()
                    .filter(c -> Arrays.stream(c.tokens()).anyMatch(genes.classOfToken()::containsKey)).toList();
            if (cells.isEmpty()) {
                throw new UserException("no cell of " + common.input + " expresses any gene of " + geneClasses);
            }
            List<LabeledCell> withGenes = Sample.of(cells, common.cells.maxCells, s.seed());
            log.info(withGenes.size() + " cells express genes of " + genes.classes().size() + " classes (" + genes.classOfToken().size() + " genes)");
            ClassifierRun.Base base = common.base(session, train);
            List<GeneTask.GeneSplit> folds = GeneTask.folds(genes, cv, validShare, s.seed());
            int n = foldsToRun == null ? folds.size() : Math.min(foldsToRun, folds.size());
            CrossValidation.prepareOutput(base.parallel(), output, overwrite.overwrite, OutputGuard.paths(common.input, geneClasses, model.model));
            CrossValidation.runFolds(output, n,
                    (f, dir) -> ClassifierRun.genes(base, withGenes, genes, folds.get(f), s, dir, train.stopAfterSteps, log::info), log);
            return 0;
        }
    }
}
