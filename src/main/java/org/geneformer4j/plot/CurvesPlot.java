package org.geneformer4j.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Training curves, as a fine-tuning run logs them in metrics.jsonl: losses (training and validation) against the
 * optimizer step on the left, validation accuracy and macro F1 on the right.
 */
public final class CurvesPlot {
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final double W = 520;
    private static final double H = 360;

    /** One named line: x (steps) and y values. */
    public record Series(String name, double[] x, double[] y) {}

    private CurvesPlot() {}

    public static void write(List<Series> losses, List<Series> scores, String title, Path path, boolean overwrite) {
        double maxStep = 1;
        double maxLoss = 0;
        for (Series s : losses) {
            for (double v : s.x()) {
                maxStep = Math.max(maxStep, v);
            }
            for (double v : s.y()) {
                maxLoss = Math.max(maxLoss, Double.isFinite(v) ? v : 0);
            }
        }
        for (Series s : scores) {
            for (double v : s.x()) {
                maxStep = Math.max(maxStep, v);
            }
        }
        double top = 70, left = 80, gap = 110;
        double xMax = maxStep;
        double lossMax = maxLoss <= 0 ? 1 : niceCeiling(maxLoss);
        int extraRows = Math.max(legendRows(losses), legendRows(scores)) - 1;
        Figure.write(path, (int) (left + 2 * W + gap + 40), (int) (top + H + 130 + LEGEND_ROW * extraRows), overwrite, c -> {
            c.text(left + W + gap / 2, 36, title, 22, true, INK, Canvas.Anchor.MIDDLE, false);
            panel(c, left, top, losses, xMax, lossMax, "loss");
            panel(c, left + W + gap, top, scores, xMax, 1.0, "validation");
        });
    }

    private static void panel(Canvas c, double x0, double y0, List<Series> series, double xMax, double yMax, String yLabel) {
        c.outline(x0, y0, W, H, Color.GRAY, 1);
        for (int t = 0; t <= 4; t++) {
            double fy = t / 4.0;
            double y = y0 + H - fy * H;
            c.line(x0 - 6, y, x0, y, INK, 1);
            c.text(x0 - 10, y + 5, String.format(Locale.ROOT, yMax >= 10 ? "%.0f" : "%.2f", fy * yMax), 14, false, INK, Canvas.Anchor.END, false);
            double x = x0 + fy * W;
            c.line(x, y0 + H, x, y0 + H + 6, INK, 1);
            c.text(x, y0 + H + 22, String.format(Locale.ROOT, "%.0f", fy * xMax), 14, false, INK, Canvas.Anchor.MIDDLE, false);
        }
        c.text(x0 + W / 2, y0 + H + 48, "optimizer step", 16, false, INK, Canvas.Anchor.MIDDLE, false);
        c.text(x0 - 58, y0 + H / 2, yLabel, 16, false, INK, Canvas.Anchor.MIDDLE, true);
        for (int i = 0; i < series.size(); i++) {
            Series s = series.get(i);
            double[] xs = new double[s.x().length], ys = new double[s.x().length];
            for (int p = 0; p < xs.length; p++) {
                xs[p] = x0 + s.x()[p] / xMax * W;
                ys[p] = y0 + H - Math.min(1, Math.max(0, s.y()[p] / yMax)) * H;
            }
            Color col = Palette.category(i);
            if (xs.length == 1) {
                c.circle(xs[0], ys[0], 4, col);
            } else {
                c.polyline(xs, ys, col, 2.5);
            }
            int perRow = legendPerRow(series);
            double ly = y0 + H + 74 + LEGEND_ROW * (i / perRow);
            double lx = x0 + (i % perRow) * (W / perRow);
            c.line(lx, ly - 5, lx + 24, ly - 5, col, 3);
            c.text(lx + 30, ly, s.name(), 15, false, INK, Canvas.Anchor.START, false);
        }
    }

    private static final double LEGEND_ROW = 22;

    /** Legend entries side by side under a panel: all in one row while the longest name fits (a multi-task run's do not). */
    static int legendPerRow(List<Series> series) {
        int longest = series.stream().mapToInt(x -> x.name().length()).max().orElse(0);
        return Math.max(1, Math.min(Math.max(1, series.size()), (int) (W / (30 + 8.5 * longest))));
    }

    private static int legendRows(List<Series> series) {
        return series.isEmpty() ? 1 : (series.size() + legendPerRow(series) - 1) / legendPerRow(series);
    }

    /** 1, 2, 2.5 or 5 times a power of ten, at least v. */
    static double niceCeiling(double v) {
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }
}
