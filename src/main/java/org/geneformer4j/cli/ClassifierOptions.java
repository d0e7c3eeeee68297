package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.classify.CellTable;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.embed.TokenCheck;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Option;

/** What every classifier command reads and how it runs the model: shared by finetune cell, finetune gene and tune. */
final class ClassifierOptions {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset (geneformer tokenize).")
    Path input;

    @Option(names = "--filter", paramLabel = "COLUMN=V1[,V2]", description = "Keep only cells with these values (repeatable).")
    List<String> filters = new ArrayList<>();

    @Option(names = "--max-ncells", defaultValue = "0", description = "Use at most N cells (seeded sample; 0: all).")
    int maxCells;

    @Option(names = "--freeze-layers", defaultValue = "0", description = "Freeze the first N encoder layers. Default: ${DEFAULT-VALUE}.")
    int freezeLayers;

    @Option(names = "--eval-batch-size", defaultValue = "32", description = "Cells per evaluation batch. Default: ${DEFAULT-VALUE}.")
    int evalBatch;

    /** The filtered cells, checked against the model's vocabulary and positions. */
    List<LabeledCell> read(ModelOptions.Resolved r, String labelColumn, String groupColumn) {
        return read(input, filters, r, labelColumn, groupColumn);
    }

    static List<LabeledCell> read(Path input, List<String> filters, ModelOptions.Resolved r, String labelColumn, String groupColumn) {
        if (!EmbedCommand.isDataset(input)) {
            throw new UserException(input + " is not a tokenized dataset; run geneformer tokenize first");
        }
        return CellTable.read(input, labelColumn, groupColumn, EmbedCommand.parseFilters(filters),
                new TokenCheck(r.checkpoint().config(), r.vocab(), r.inputs().specialTokens()));
    }

    /** The starting checkpoint and where runs train (on {@code model}'s one device, in fp32). */
    ClassifierRun.Base base(ModelOptions.Resolved r, ModelOptions model) {
        FinetuneCommand.requireFp32(model);
        return new ClassifierRun.Base(r.checkpoint(), r.name(), model.singleDevice(), model.scalarType(), freezeLayers, evalBatch);
    }
}
