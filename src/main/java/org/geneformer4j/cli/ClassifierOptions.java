package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.classify.CellTable;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.CrossValidation;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.engine.ModelSession;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** What every classifier command reads and how it runs the model: shared by finetune cell, finetune gene and tune. */
final class ClassifierOptions {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset (geneformer tokenize).")
    Path input;

    @Mixin
    FilterOption filter;

    @Mixin
    MaxCellsOption cells = new MaxCellsOption();

    @Option(names = "--freeze-layers", defaultValue = "0", description = "Freeze the first N encoder layers. Default: ${DEFAULT-VALUE}.")
    int freezeLayers;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Cells per evaluation batch. Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    /** The filtered cells, checked against the model's vocabulary and positions. */
    List<LabeledCell> read(ModelSession s, String labelColumn, String groupColumn) {
        return CellTable.read(input, labelColumn, groupColumn, filter.map(), s.tokenCheck());
    }

    /** The starting checkpoint and where runs train (on the session's one device, in fp32). */
    ClassifierRun.Base base(ModelSession s, TrainOptions train) {
        CrossValidation.requireFp32(s.dtype());
        if (s.quantize() != org.geneformer4j.quant.Quantization.NONE) {
            throw new org.geneformer4j.util.UserException("--quantize " + s.quantize().label() + " is for embed, perturb and predict; fine-tuning trains full-precision weights");
        }
        return new ClassifierRun.Base(s.checkpoint(), s.name(), s.device(), s.dtype(), freezeLayers, evalBatch, s.parallel(train.timeout()));
    }
}
