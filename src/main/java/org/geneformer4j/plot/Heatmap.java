package org.geneformer4j.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Upstream's embedding heatmap (seaborn clustermap with standard_scale=1, cmap "magma"): every column min-max
 * scaled to [0, 1], rows and columns ordered by average-linkage clustering with their dendrograms drawn, and a
 * colour bar of the row labels beside the rows with its legend.
 */
public final class Heatmap {
    private static final double W = 760;
    private static final double H = 760;
    private static final double DENDRO = 110;
    private static final double BAR = 24;
    private static final Color INK = new Color(0x22, 0x22, 0x22);
    private static final Color TREE = new Color(0x44, 0x44, 0x44);

    private final float[][] x;
    private final Labels labels;
    private final String columnTitle;

    /** Rows of {@code x} (cells) coloured by {@code labelValues} (may be null); columns are embedding dimensions. */
    public Heatmap(float[][] x, String labelName, String[] labelValues, String columnTitle) {
        this.x = x;
        this.labels = labelValues == null ? null : Labels.of(labelName, labelValues);
        this.columnTitle = columnTitle;
    }

    /** Min-max scaling of each column to [0, 1] (seaborn's standard_scale=1); constant columns become 0. */
    static double[][] scaleColumns(float[][] x) {
        int n = x.length;
        int d = x[0].length;
        double[][] out = new double[n][d];
        for (int j = 0; j < d; j++) {
            double lo = Double.POSITIVE_INFINITY;
            double hi = Double.NEGATIVE_INFINITY;
            for (float[] r : x) {
                lo = Math.min(lo, r[j]);
                hi = Math.max(hi, r[j]);
            }
            for (int i = 0; i < n; i++) {
                out[i][j] = hi > lo ? (x[i][j] - lo) / (hi - lo) : 0;
            }
        }
        return out;
    }

    public void write(Path path, boolean overwrite) {
        double[][] s = scaleColumns(x);
        int n = s.length;
        int d = s[0].length;
        double[][] t = new double[d][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                t[j][i] = s[i][j];
            }
        }
        Linkage rows = Linkage.average(s);
        Linkage cols = Linkage.average(t);
        double legendW = 0;
        if (labels != null && !labels.continuous()) {
            for (int k = 0; k < labels.classes().size(); k++) {
                legendW = Math.max(legendW, Fonts.width(labels.classes().get(k), 16, false));
            }
            legendW += 60;
        }
        double left = 30 + DENDRO;
        double top = 70 + DENDRO;
        double heatLeft = left + (labels != null ? BAR + 6 : 0);
        int width = (int) Math.ceil(heatLeft + W + 30 + 150 + legendW);
        int classes = labels != null && !labels.continuous() ? labels.classes().size() : 0;
        int height = (int) Math.ceil(Math.max(top + H + 60, top + H * 0.4 + 50 + 14 + classes * 24 + 30));
        Figure.write(path, width, height, overwrite, c -> {
            c.text(heatLeft + W / 2, 36, "Clustered embeddings: " + String.format(Locale.ROOT, "%,d", n) + " cells x " + d + " dimensions",
                    22, true, INK, Canvas.Anchor.MIDDLE, false);
            double cw = W / d;
            double rh = H / n;
            for (int r = 0; r < n; r++) {
                int i = rows.leafOrder()[r];
                for (int q = 0; q < d; q++) {
                    int j = cols.leafOrder()[q];
                    // overlap by a fraction of a pixel so that antialiasing leaves no seams between cells
                    c.rect(heatLeft + q * cw, top + r * rh, cw + 0.5, rh + 0.5, Palette.sequential(Palette.Map.MAGMA, s[i][j]));
                }
                if (labels != null) {
                    Color lc = labels.continuous()
                            ? Palette.sequential(Palette.Map.VIRIDIS, 0.5) : labels.colour(labels.code()[i]);
                    c.rect(left, top + r * rh, BAR, rh + 0.5, lc);
                }
            }
            dendrogram(c, rows, left - 6, top, DENDRO - 10, H, true);
            dendrogram(c, cols, heatLeft, top - 6, W, DENDRO - 10, false);
            c.text(heatLeft + W / 2, top + H + 32, columnTitle + " (clustered)", 17, false, INK, Canvas.Anchor.MIDDLE, false);
            c.text(18, top + H / 2 + 40, "cells (clustered)", 17, false, INK, Canvas.Anchor.MIDDLE, true);
            double bx = heatLeft + W + 30;
            double steps = 100;
            for (int k = 0; k < steps; k++) {
                c.rect(bx, top + k * (H * 0.4) / steps, 22, H * 0.4 / steps + 0.6, Palette.sequential(Palette.Map.MAGMA, 1 - (k + 0.5) / steps));
            }
            c.outline(bx, top, 22, H * 0.4, Color.GRAY, 1);
            c.text(bx + 30, top + 12, "1 (column max)", 14, false, INK, Canvas.Anchor.START, false);
            c.text(bx + 30, top + H * 0.4, "0 (column min)", 14, false, INK, Canvas.Anchor.START, false);
            if (labels != null && !labels.continuous()) {
                double ly = top + H * 0.4 + 50;
                c.text(bx, ly, labels.name(), 17, true, INK, Canvas.Anchor.START, false);
                for (int k = 0; k < labels.classes().size(); k++) {
                    double ey = ly + 14 + k * 24;
                    c.rect(bx, ey, 16, 16, labels.colour(k));
                    c.text(bx + 24, ey + 13, labels.classes().get(k), 16, false, INK, Canvas.Anchor.START, false);
                }
            }
        });
    }

    /**
     * The tree of {@code l} in the box; {@code vertical}: leaves down the right edge of the box (rows), else along
     * its bottom edge (columns). Heights grow away from the heatmap.
     */
    private static void dendrogram(Canvas c, Linkage l, double x0, double y0, double w, double h, boolean vertical) {
        if (l.n() < 2) {
            return;
        }
        double[] pos = l.positions();
        double max = l.height()[l.height().length - 1];
        double span = vertical ? h : w;
        double depth = vertical ? w : h;
        for (int s = 0; s < l.n() - 1; s++) {
            int a = l.left()[s];
            int b = l.right()[s];
            double pa = (pos[a] + 0.5) * span / l.n();
            double pb = (pos[b] + 0.5) * span / l.n();
            double ha = l.heightOf(a) / max * depth;
            double hb = l.heightOf(b) / max * depth;
            double hm = l.height()[s] / max * depth;
            if (vertical) {
                c.polyline(new double[] {x0 - ha, x0 - hm, x0 - hm, x0 - hb}, new double[] {y0 + pa, y0 + pa, y0 + pb, y0 + pb}, TREE, 0.8);
            } else {
                c.polyline(new double[] {x0 + pa, x0 + pa, x0 + pb, x0 + pb}, new double[] {y0 - ha, y0 - hm, y0 - hm, y0 - hb}, TREE, 0.8);
            }
        }
    }
}
