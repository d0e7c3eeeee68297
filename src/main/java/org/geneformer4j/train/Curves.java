package org.geneformer4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.plot.CurvesPlot;

/** The training curves of a run's metrics.jsonl as a picture (training_curves.png beside it). */
public final class Curves {
    private Curves() {}

    public static void plot(Path metricsJsonl, Path picture, String title) {
        List<ObjectNode> lines = MetricsLog.read(metricsJsonl);
        List<CurvesPlot.Series> losses = new ArrayList<>();
        add(losses, lines, "loss", "training loss");
        add(losses, lines, "eval_loss", "validation loss");
        add(losses, lines, "eval_unigram_loss", "unigram baseline (validation)");
        List<CurvesPlot.Series> scores = new ArrayList<>();
        add(scores, lines, "eval_accuracy", "accuracy");
        add(scores, lines, "eval_macro_f1", "macro F1");
        CurvesPlot.write(losses, scores, title, picture, true);
    }

    private static void add(List<CurvesPlot.Series> out, List<ObjectNode> lines, String key, String name) {
        List<double[]> pts = new ArrayList<>();
        for (ObjectNode l : lines) {
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
