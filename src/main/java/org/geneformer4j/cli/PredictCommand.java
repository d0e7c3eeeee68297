package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.geneformer4j.classify.PredictRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Labels and class probabilities of a fine-tuned classifier for new cells.",
                "OUTPUT is a CSV: cell_id[,ensembl_id][,label],predicted,prob_<class>... (geneformer plot confusion|roc read it).",
                "A cell classifier gives one row per cell; a gene classifier one row per gene of each cell."})
final class PredictCommand implements Callable<Integer> {
    @Mixin
    ModelOptions model;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CSV", description = "Output CSV.")
    Path output;

    @Option(names = "--label", paramLabel = "COLUMN", description = "Column of true labels: adds a label column and prints accuracy and macro F1.")
    String label;

    @Mixin
    FilterOption filter;

    @Option(names = "--batch-size", defaultValue = "32", description = "Cells per batch. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--packed", description = "Concatenate each batch's cells without padding (variable-length attention on GPUs).")
    boolean packed;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        new PredictRun(input, output, label, filter.map(), batchSize, packed, overwrite.overwrite, model.model).run(model::open, Main.log());
        return 0;
    }
}
