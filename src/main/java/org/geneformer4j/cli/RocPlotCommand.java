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

@Command(name = "roc", mixinStandardHelpOptions = true, sortOptions = false,
        description = "ROC curves from class probabilities: the --positive class, or every class one-vs-rest.")
final class RocPlotCommand implements Callable<Integer> {
    @Mixin
    PredictionsInput in = new PredictionsInput();

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
    Path output;

    @Option(names = "--positive", paramLabel = "CLASS", description = "Only this class's curve (default: the second class of a binary task, else every class).")
    String positive;

    @Option(names = "--title", defaultValue = "ROC", description = "Title. Default: ${DEFAULT-VALUE}.")
    String title;

    @Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() {
        PlotCommand.checkFree(output, overwrite.overwrite, true, in.input);
        Map<String, List<String>> cols = in.read();
        List<String> truth = in.column(cols, in.truth);
        List<String> classes = new ArrayList<>();
        cols.keySet().stream().filter(k -> k.startsWith("prob_")).forEach(k -> classes.add(k.substring(5)));
        if (classes.size() < 2) {
            throw new UserException(in.input + ": ROC needs class probabilities in columns prob_<class>, found " + classes.size());
        }
        List<String> chosen = positive != null ? List.of(positive) : classes.size() == 2 ? List.of(classes.get(1)) : classes;
        List<RocCurve> curves = new ArrayList<>();
        for (String cls : chosen) {
            List<String> prob = in.column(cols, "prob_" + cls);
            double[] score = new double[truth.size()];
            boolean[] pos = new boolean[truth.size()];
            for (int i = 0; i < score.length; i++) {
                try {
                    score[i] = Double.parseDouble(prob.get(i));
                } catch (NumberFormatException e) {
                    throw new UserException(in.input + ": prob_" + cls + " row " + (i + 1) + " is not a number: '" + prob.get(i) + "'");
                }
                pos[i] = truth.get(i).equals(cls);
            }
            try {
                curves.add(RocCurve.of(score, pos));
            } catch (IllegalArgumentException e) {
                throw new UserException(in.input + ": class '" + cls + "': " + e.getMessage());
            }
            Main.log().info(String.format(Locale.ROOT, "%s: AUC %.4f", cls, curves.get(curves.size() - 1).auc()));
        }
        RocPlot.write(chosen, curves, title, output, overwrite.overwrite);
        Main.log().info("wrote " + output);
        return 0;
    }
}
