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

@Command(name = "heatmap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Clustered heatmap of cell embeddings (upstream's seaborn clustermap: columns min-max scaled, average linkage on both axes).")
final class HeatmapPlotCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "EMBEDDINGS", description = "Embeddings from geneformer embed (.csv, .npy or .h5ad).")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
    Path output;

    @Option(names = "--color", paramLabel = "COLUMN", description = "Label column for the row colour bar.")
    String colour;

    @Mixin
    MaxCellsOption cells = new MaxCellsOption(1000); // upstream's max_ncells_to_plot

    @Mixin
    SeedOption seed;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        PlotCommand.checkFree(output, overwrite.overwrite, true, input);
        if (cells.maxCells < 2 || cells.maxCells > 20_000) {
            throw new UserException("--max-ncells must be between 2 and 20,000 for a clustered heatmap (memory grows with its square)");
        }
        EmbeddingTable t = EmbeddingPlots.sample(EmbeddingTable.read(input), cells.maxCells, seed.seed);
        if (t.rows() < 2) {
            throw new UserException(input + ": a heatmap needs at least 2 cells");
        }
        EmbeddingPlots.heatmap(t, colour, output, overwrite.overwrite);
        Main.log().info("wrote " + output);
        return 0;
    }
}
