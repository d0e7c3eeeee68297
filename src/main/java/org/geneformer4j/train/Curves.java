package org.geneformer4j.train;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import org.geneformer4j.plot.CurvesPlot;

/** The training curves of a run's metrics.jsonl as a picture (training_curves.png beside it). */
public final class Curves {
    private Curves() {}

    /**
     * Draws a run's figure beside its outputs. A figure that cannot be drawn (a Java runtime without the font
     * libraries it needs, libfreetype and libharfbuzz; a full disk) costs one warning line, not the trained model and
     * the outputs written after it. (The first GPU training runs of verify.sh lost their exit status this way.)
     */
    public static void drawBeside(Runnable draw, Path picture, Consumer<String> warn) {
        try {
            draw.run();
        } catch (RuntimeException | LinkageError e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            String why = root.getMessage() != null ? root.getMessage() : root.getClass().getSimpleName();
            boolean fonts = why.toLowerCase(Locale.ROOT).contains("font") || e instanceof LinkageError;
            warn.accept("warning: " + picture.getFileName() + " not drawn (" + why + ")"
                    + (fonts ? "; the Java runtime's font libraries (libfreetype, libharfbuzz) may be missing" : "")
                    + "; the run's other outputs are complete");
        }
    }

    public static void plot(Path metricsJsonl, Path picture, String title) {
        Map<String, String> losses = new LinkedHashMap<>();
        losses.put("loss", "training loss");
        losses.put("eval_loss", "validation loss");
        losses.put("eval_unigram_loss", "unigram baseline (validation)");
        Map<String, String> scores = new LinkedHashMap<>();
        scores.put("eval_accuracy", "accuracy");
        scores.put("eval_macro_f1", "macro F1");
        plot(metricsJsonl, picture, title, losses, scores);
    }

    /**
     * The metrics named by the keys of {@code losses} on the left and of {@code scores} on the right, each labelled
     * with its value, in the maps' order; a metric the log never holds is left out.
     */
    public static void plot(Path metricsJsonl, Path picture, String title, Map<String, String> losses, Map<String, String> scores) {
        List<ObjectNode> lines = MetricsLog.read(metricsJsonl);
        CurvesPlot.write(series(lines, losses), series(lines, scores), title, picture, true);
    }

    private static List<CurvesPlot.Series> series(List<ObjectNode> lines, Map<String, String> metrics) {
        List<CurvesPlot.Series> out = new ArrayList<>();
        metrics.forEach((key, name) -> {
            List<double[]> pts = new ArrayList<>();
            for (ObjectNode l : lines) {
                if (l.path(key).isNumber()) {
                    pts.add(new double[] {l.get("step").asDouble(), l.get(key).asDouble()});
                }
            }
            if (!pts.isEmpty()) {
                double[] x = new double[pts.size()], y = new double[pts.size()];
                for (int i = 0; i < x.length; i++) {
                    x[i] = pts.get(i)[0];
                    y[i] = pts.get(i)[1];
                }
                out.add(new CurvesPlot.Series(name, x, y));
            }
        });
        return out;
    }
}
