package org.geneformer4j.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A 2-D embedding (UMAP) drawn once per label column, side by side, each panel with its legend (classes with their
 * cell counts, several columns when there are many) or a colour bar for a numeric column. Points are drawn in a
 * seeded random order, so that no class is hidden under the ones drawn after it.
 */
public final class ScatterPlot {
    private static final int PLOT = 760;
    private static final int PAD = 30;
    private static final int TITLE = 60;
    private static final int AXIS = 40;
    private static final double LEGEND_TEXT = 17;
    private static final double ROW = 26;
    private static final Color FRAME = new Color(0x80, 0x80, 0x80);
    private static final Color INK = new Color(0x22, 0x22, 0x22);

    private final float[][] xy;
    private final List<Labels> panels = new ArrayList<>();
    private String axisName = "UMAP";
    private String title;

    public ScatterPlot(float[][] xy) {
        this.xy = xy;
    }

    /** Adds a panel coloured by this column. */
    public ScatterPlot colourBy(String name, String[] values) {
        if (values.length != xy.length) {
            throw new IllegalArgumentException(name + " has " + values.length + " values for " + xy.length + " points");
        }
        panels.add(Labels.of(name, values));
        return this;
    }

    public ScatterPlot axisName(String name) {
        this.axisName = name;
        return this;
    }

    public ScatterPlot title(String t) {
        this.title = t;
        return this;
    }

    public void write(Path path, boolean overwrite) {
        List<Labels> ps = panels.isEmpty() ? List.of(Labels.of("cells", new String[xy.length])) : panels;
        double[] legend = new double[ps.size()];
        double width = PAD;
        for (int p = 0; p < ps.size(); p++) {
            legend[p] = legendWidth(ps.get(p));
            width += AXIS + PLOT + legend[p] + PAD;
        }
        int height = TITLE + PLOT + AXIS + PAD;
        Figure.write(path, (int) Math.ceil(width), height, overwrite, c -> {
            double x0 = PAD;
            for (int p = 0; p < ps.size(); p++) {
                panel(c, ps.get(p), x0 + AXIS, TITLE, panels.isEmpty());
                x0 += AXIS + PLOT + legend[p] + PAD;
            }
        });
    }

    private double legendWidth(Labels l) {
        if (l.continuous()) {
            return 140;
        }
        int perColumn = (int) (PLOT / ROW);
        int columns = (l.classes().size() + perColumn - 1) / perColumn;
        double text = 0;
        for (int k = 0; k < l.classes().size(); k++) {
            text = Math.max(text, Fonts.width(entry(l, k), LEGEND_TEXT, false));
        }
        return 24 + columns * (34 + text + 16);
    }

    private static String entry(Labels l, int k) {
        return l.classes().get(k) + "  (" + String.format(Locale.ROOT, "%,d", l.count(k)) + ")";
    }

    private void panel(Canvas c, Labels l, double left, double top, boolean unlabelled) {
        String heading = unlabelled ? (title != null ? title : axisName + " of " + String.format(Locale.ROOT, "%,d", xy.length) + " cells") : l.name();
        c.text(left + PLOT / 2.0, top - 22, heading, 24, true, INK, Canvas.Anchor.MIDDLE, false);
        c.outline(left, top, PLOT, PLOT, FRAME, 1);
        c.text(left + 4, top + PLOT + 26, axisName + "1", 17, false, INK, Canvas.Anchor.START, false);
        c.text(left - 12, top + PLOT - 4, axisName + "2", 17, false, INK, Canvas.Anchor.START, true);
        double minX = Double.POSITIVE_INFINITY;
        double maxX = Double.NEGATIVE_INFINITY;
        double minY = Double.POSITIVE_INFINITY;
        double maxY = Double.NEGATIVE_INFINITY;
        for (float[] p : xy) {
            minX = Math.min(minX, p[0]);
            maxX = Math.max(maxX, p[0]);
            minY = Math.min(minY, p[1]);
            maxY = Math.max(maxY, p[1]);
        }
        double span = Math.max(maxX - minX, maxY - minY);
        span = span > 0 ? span : 1;
        double scale = PLOT * 0.92 / span; // same scale on both axes: distances in a UMAP are not to be stretched
        double cx = left + PLOT / 2.0 - (minX + maxX) / 2 * scale;
        double cy = top + PLOT / 2.0 + (minY + maxY) / 2 * scale;
        double r = Math.max(1.0, Math.min(6.0, 260 / Math.sqrt(xy.length)));
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        if (l.continuous()) {
            for (double v : l.numeric()) {
                if (!Double.isNaN(v)) {
                    lo = Math.min(lo, v);
                    hi = Math.max(hi, v);
                }
            }
        }
        for (int i : drawingOrder(xy.length)) {
            Color col;
            if (l.continuous()) {
                double v = l.numeric()[i];
                col = Palette.sequential(Palette.Map.VIRIDIS, hi > lo ? (v - lo) / (hi - lo) : 0.5);
            } else if (unlabelled) {
                col = Palette.category(0);
            } else {
                col = l.colour(l.code()[i]);
            }
            c.circle(cx + xy[i][0] * scale, cy - xy[i][1] * scale, r, Palette.withAlpha(col, 0.85));
        }
        double lx = left + PLOT + 24;
        if (l.continuous()) {
            colourBar(c, lx, top + PLOT * 0.2, PLOT * 0.6, lo, hi);
        } else if (!unlabelled) {
            legend(c, l, lx, top);
        }
    }

    private static int[] drawingOrder(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(0);
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    private static void legend(Canvas c, Labels l, double x, double top) {
        int perColumn = (int) (PLOT / ROW);
        double colWidth = 0;
        for (int k = 0; k < l.classes().size(); k++) {
            colWidth = Math.max(colWidth, Fonts.width(entry(l, k), LEGEND_TEXT, false));
        }
        colWidth += 34 + 16;
        int rows = Math.min(perColumn, l.classes().size());
        double y0 = top + Math.max(0, (PLOT - rows * ROW) / 2);
        for (int k = 0; k < l.classes().size(); k++) {
            double ex = x + (k / perColumn) * colWidth;
            double ey = y0 + (k % perColumn) * ROW + ROW / 2;
            c.circle(ex + 8, ey, 8, l.colour(k));
            c.text(ex + 24, ey + 6, entry(l, k), LEGEND_TEXT, false, INK, Canvas.Anchor.START, false);
        }
    }

    static void colourBar(Canvas c, double x, double y, double h, double lo, double hi) {
        int steps = 100;
        for (int s = 0; s < steps; s++) {
            double t = 1 - (s + 0.5) / steps;
            c.rect(x, y + s * h / steps, 22, h / steps + 0.6, Palette.sequential(Palette.Map.VIRIDIS, t));
        }
        c.outline(x, y, 22, h, FRAME, 1);
        for (int s = 0; s <= 4; s++) {
            double v = hi - (hi - lo) * s / 4;
            double ty = y + h * s / 4;
            c.line(x + 22, ty, x + 28, ty, INK, 1);
            c.text(x + 32, ty + 6, format(v), 15, false, INK, Canvas.Anchor.START, false);
        }
    }

    static String format(double v) {
        double a = Math.abs(v);
        return a != 0 && (a >= 1e5 || a < 1e-2) ? String.format(Locale.ROOT, "%.2e", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}
