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

@Command(name = "confusion", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Confusion matrix of predictions, rows normalised (upstream's plot_conf_mat).")
final class ConfusionPlotCommand implements Callable<Integer> {
    @Mixin
    PredictionsInput in = new PredictionsInput();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
    Path output;

    @Option(names = "--title", defaultValue = "Confusion matrix", description = "Title. Default: ${DEFAULT-VALUE}.")
    String title;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        PlotCommand.checkFree(output, overwrite.overwrite, true, in.input);
        Map<String, List<String>> cols = in.read();
        List<String> truth = in.column(cols, in.truth);
        List<String> pred = in.column(cols, in.predicted);
        TreeSet<String> all = new TreeSet<>(truth);
        all.addAll(pred);
        List<String> classes = new ArrayList<>(all);
        int[] t = truth.stream().mapToInt(classes::indexOf).toArray();
        int[] p = pred.stream().mapToInt(classes::indexOf).toArray();
        ConfusionMatrix m = ConfusionMatrix.of(classes, t, p);
        ConfusionPlot.write(m, title, output, overwrite.overwrite);
        Main.log().info(String.format(Locale.ROOT, "wrote %s: accuracy %.4f, macro F1 %.4f over %,d cells", output, m.accuracy(), m.macroF1(), m.total()));
        return 0;
    }
}
