package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.engine.ModelSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The cells a cell classifier learns from and how they are split: shared by finetune cell and tune. */
final class CellDataOptions {
    @Mixin
    ClassifierOptions common;

    // not required by picocli: tune --multitask names its columns instead; prepare() asks for it
    @Option(names = "--label", paramLabel = "COLUMN", description = "Column holding each cell's class (required but with tune --multitask).")
    String label;

    @Option(names = "--rare-threshold", defaultValue = "0", description = "Drop classes holding at most this fraction of the cells. Default: ${DEFAULT-VALUE}.")
    double rareThreshold;

    @Option(names = "--max-ncells-per-class", defaultValue = "0", description = "Use at most N cells of each class (0: all).")
    int maxPerClass;

    @Option(names = "--split", defaultValue = "train=0.8,valid=0.1,test=0.1", description = "Fractions, stratified by class. Default: ${DEFAULT-VALUE}.")
    String split;

    @Option(names = "--split-by", paramLabel = "COLUMN", description = "Split whole groups (e.g. donor) so that no value is in two sets.")
    String splitBy;

    @Option(names = "--split-file", paramLabel = "CSV", description = "Explicit sets: CSV with cell_id,split (train, valid, test).")
    Path splitFile;

    @picocli.CommandLine.Spec(picocli.CommandLine.Spec.Target.MIXEE)
    picocli.CommandLine.Model.CommandSpec mixee;

    /** picocli's own usage error for a missing --label, before any model is resolved or downloaded. */
    void requireLabel() {
        if (label == null) {
            throw new picocli.CommandLine.ParameterException(mixee.commandLine(), "Missing required option: '--label=COLUMN'");
        }
    }

    CellSelection.Prepared prepare(ModelSession s, long seed) {
        requireLabel();
        List<LabeledCell> cells = common.read(s, label, splitBy);
        return CellSelection.prepare(cells, label, rareThreshold, common.cells.maxCells, maxPerClass, seed, Main.log()::info);
    }

    SplitSizes sizes() {
        return SplitSizes.parse(split);
    }

    /** The one split of a run without cross-validation. */
    Split split(CellSelection.Prepared data, long seed) {
        if (splitFile != null) {
            return Split.fromFile(data.cells(), splitFile);
        }
        return splitBy != null ? Split.byGroup(data.cells(), sizes(), seed) : Split.stratified(data.cells(), sizes(), seed);
    }
}
