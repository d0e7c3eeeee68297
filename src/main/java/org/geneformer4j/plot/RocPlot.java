package org.geneformer4j.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.geneformer4j.metrics.RocCurve;

/** ROC curves (one per class, one-vs-rest, or the positive class of a binary task) with their AUC in the legend. */
public final class RocPlot {
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final double S = 640;

    private RocPlot() {}

    public static void write(List<String> names, List<RocCurve> curves, String title, Path path, boolean overwrite) {
        double legend = 0;
        for (int i = 0; i < names.size(); i++) {
            legend = Math.max(legend, Fonts.width(entry(names.get(i), curves.get(i)), 16, false));
        }
        double left = 90;
        double top = 70;
        int width = (int) Math.ceil(left + S + 40 + legend + 60);
        int height = (int) Math.ceil(top + S + 80);
        Figure.write(path, width, height, overwrite, c -> {
            c.text(left + S / 2, 40, title, 22, true, INK, Canvas.Anchor.MIDDLE, false);
            c.outline(left, top, S, S, Color.GRAY, 1);
            for (int t = 0; t <= 5; t++) {
                double v = t / 5.0;
                String label = String.format(Locale.ROOT, "%.1f", v);
                c.line(left + v * S, top + S, left + v * S, top + S + 6, INK, 1);
                c.text(left + v * S, top + S + 24, label, 15, false, INK, Canvas.Anchor.MIDDLE, false);
                c.line(left - 6, top + S - v * S, left, top + S - v * S, INK, 1);
                c.text(left - 10, top + S - v * S + 5, label, 15, false, INK, Canvas.Anchor.END, false);
            }
            c.line(left, top + S, left + S, top, new Color(0xaa, 0xaa, 0xaa), 1);
            c.text(left + S / 2, top + S + 56, "false positive rate", 18, false, INK, Canvas.Anchor.MIDDLE, false);
            c.text(left - 56, top + S / 2, "true positive rate", 18, false, INK, Canvas.Anchor.MIDDLE, true);
            for (int i = 0; i < curves.size(); i++) {
                RocCurve r = curves.get(i);
                double[] xs = new double[r.fpr().length];
                double[] ys = new double[r.fpr().length];
                for (int p = 0; p < xs.length; p++) {
                    xs[p] = left + r.fpr()[p] * S;
                    ys[p] = top + S - r.tpr()[p] * S;
                }
                Color col = Palette.category(i);
                c.polyline(xs, ys, col, 2.5);
                double ly = top + 20 + i * 26;
                c.line(left + S + 30, ly - 5, left + S + 54, ly - 5, col, 3);
                c.text(left + S + 62, ly, entry(names.get(i), r), 16, false, INK, Canvas.Anchor.START, false);
            }
        });
    }

    private static String entry(String name, RocCurve r) {
        return name + String.format(Locale.ROOT, " (AUC %.3f)", r.auc());
    }
}
