package org.geneformer4j.multitask;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.plot.CurvesPlot;
import org.geneformer4j.util.UserException;

/**
 * training_curves.png of a multi-task run: the training loss, the validation loss and each task's validation loss on
 * the left; each task's validation accuracy and macro F1 on the right. A single-task picture would show only the
 * means, which hide a task that does not learn.
 */
public final class MultiTaskCurves {
    private MultiTaskCurves() {}

    public static void plot(Path metricsJsonl, Path picture, String title, List<String> tasks) {
        List<JsonNode> lines = read(metricsJsonl);
        List<CurvesPlot.Series> losses = new ArrayList<>();
        add(losses, lines, "loss", "training loss");
        add(losses, lines, "eval_loss", "validation loss");
        for (String t : tasks) {
            add(losses, lines, "eval_" + t + ".loss", t + " loss");
        }
        List<CurvesPlot.Series> scores = new ArrayList<>();
        for (String t : tasks) {
            add(scores, lines, "eval_" + t + ".accuracy", t + " accuracy");
            add(scores, lines, "eval_" + t + ".macro_f1", t + " macro F1");
        }
        CurvesPlot.write(losses, scores, title, picture, true);
    }

    private static List<JsonNode> read(Path file) {
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    out.add(json.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }

    private static void add(List<CurvesPlot.Series> out, List<JsonNode> lines, String key, String name) {
        List<double[]> pts = new ArrayList<>();
        for (JsonNode l : lines) {
            if (l.path(key).isNumber()) {
                pts.add(new double[] {l.get("step").asDouble(), l.get(key).asDouble()});
            }
        }
        if (pts.isEmpty()) {
            return;
        }
        double[] x = new double[pts.size()], y = new double[pts.size()];
        for (int i = 0; i < x.length; i++) {
            x[i] = pts.get(i)[0];
            y[i] = pts.get(i)[1];
        }
        out.add(new CurvesPlot.Series(name, x, y));
    }
}
