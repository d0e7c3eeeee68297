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

@Command(name = "umap", mixinStandardHelpOptions = true, sortOptions = false,
        description = "UMAP of cell embeddings, one panel per --color column (scanpy's sc.pl.umap as upstream draws it).")
final class UmapPlotCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "EMBEDDINGS", description = "Embeddings from geneformer embed (.csv, .npy or .h5ad).")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
    Path output;

    @Option(names = "--color", split = ",", paramLabel = "COLUMN", description = "Label columns to colour by, one panel each.")
    List<String> colour = List.of();

    @Mixin
    MaxCellsOption cells = new MaxCellsOption();

    @Mixin
    SeedOption seed;

    @Option(names = "--save-layout", paramLabel = "CSV", description = "Also write the 2-D coordinates (cell id, UMAP1, UMAP2, labels).")
    Path saveLayout;

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Layout%n")
    UmapOptions umap = new UmapOptions();

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        PlotCommand.checkFree(output, overwrite.overwrite, true, input);
        if (saveLayout != null) {
            PlotCommand.checkFree(saveLayout, overwrite.overwrite, false, input);
        }
        EmbeddingTable t = EmbeddingPlots.sample(EmbeddingTable.read(input), cells.maxCells, seed.seed);
        colour.forEach(t::label); // fail on a missing column before the work
        float[][] xy = umap.layout(t.matrix(), Main.log());
        EmbeddingPlots.umap(t, xy, colour, output, overwrite.overwrite);
        Main.log().info("wrote " + output);
        if (saveLayout != null) {
            EmbeddingPlots.writeLayout(t, xy, saveLayout, overwrite.overwrite);
            Main.log().info("wrote " + saveLayout);
        }
        return 0;
    }
}
