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

/** Predictions as geneformer predict and finetune write them: truth and predicted columns, prob_CLASS columns. */
final class PredictionsInput {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "PREDICTIONS", description = "Predictions CSV (columns: the true label, the predicted label, prob_<class>).")
    Path input;

    @Option(names = "--truth", defaultValue = "label", description = "Column of true labels. Default: ${DEFAULT-VALUE}.")
    String truth;

    @Option(names = "--predicted", defaultValue = "predicted", description = "Column of predicted labels. Default: ${DEFAULT-VALUE}.")
    String predicted;

    Map<String, List<String>> read() {
        Map<String, List<String>> cols = Csv.columns(input);
        column(cols, truth);
        if (cols.get(truth).isEmpty()) {
            throw new UserException(input + ": no rows");
        }
        return cols;
    }

    List<String> column(Map<String, List<String>> cols, String name) {
        List<String> c = cols.get(name);
        if (c == null) {
            throw new UserException(input + ": no column '" + name + "' (columns: " + String.join(", ", cols.keySet()) + ")");
        }
        return c;
    }
}
