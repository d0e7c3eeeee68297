package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.geneformer4j.embed.EmbeddingPlots;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.projection.Neighbours;
import org.geneformer4j.projection.Umap;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.metrics.RocCurve;
import org.geneformer4j.plot.ConfusionPlot;
import org.geneformer4j.plot.RocPlot;
import org.geneformer4j.util.Choices;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "curves", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Training curves of a fine-tuning run (its metrics.jsonl): losses, validation accuracy and macro F1.")
final class CurvesPlotCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "METRICS_JSONL", description = "metrics.jsonl of a run.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
    Path output;

    @Option(names = "--title", defaultValue = "training", description = "Title. Default: ${DEFAULT-VALUE}.")
    String title;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        PlotCommand.checkFree(output, overwrite.overwrite, true, input);
        if (!java.nio.file.Files.isRegularFile(input)) {
            throw new UserException(input + " does not exist");
        }
        org.geneformer4j.train.Curves.plot(input, output, title);
        Main.log().info("wrote " + output);
        return 0;
    }
}
