package org.geneformer4j.plot;

import java.awt.Color;
import java.nio.file.Path;
import java.util.Locale;
import org.geneformer4j.metrics.ConfusionMatrix;

/** Upstream's confusion-matrix plot: rows (true classes) L1-normalised, "Blues", each cell annotated. */
public final class ConfusionPlot {
    private static final Color INK = new Color(0x22, 0x22, 0x22);

    private ConfusionPlot() {}

    public static void write(ConfusionMatrix m, String title, Path path, boolean overwrite) {
        int k = m.classes().size();
        double cell = Math.max(34, Math.min(90, 720.0 / k));
        double labelSize = Math.min(17, cell * 0.42);
        double names = m.classes().stream().mapToDouble(s -> Fonts.width(s, labelSize, false)).max().orElse(0);
        double left = 70 + names;
        double top = 90;
        double grid = cell * k;
        int width = (int) Math.ceil(left + grid + 150);
        int height = (int) Math.ceil(top + grid + names + 70);
        double[][] p = m.rowNormalised();
        Figure.write(path, width, height, overwrite, c -> {
            c.text(left + grid / 2, 40, title, 22, true, INK, Canvas.Anchor.MIDDLE, false);
            c.text(left + grid / 2, 68, String.format(Locale.ROOT, "accuracy %.3f, macro F1 %.3f, %,d cells", m.accuracy(), m.macroF1(), m.total()),
                    16, false, INK, Canvas.Anchor.MIDDLE, false);
            for (int i = 0; i < k; i++) {
                for (int j = 0; j < k; j++) {
                    Color col = Palette.sequential(Palette.Map.BLUES, p[i][j]);
                    c.rect(left + j * cell, top + i * cell, cell + 0.5, cell + 0.5, col);
                    if (cell >= 40) {
                        c.text(left + j * cell + cell / 2, top + i * cell + cell / 2 + labelSize * 0.35,
                                String.format(Locale.ROOT, "%.2f", p[i][j]), labelSize * 0.9, false, Palette.textOn(col), Canvas.Anchor.MIDDLE, false);
                    }
                }
                c.text(left - 8, top + i * cell + cell / 2 + labelSize * 0.35, m.classes().get(i), labelSize, false, INK, Canvas.Anchor.END, false);
                c.text(left + i * cell + cell / 2 + labelSize * 0.35, top + grid + 8, m.classes().get(i), labelSize, false, INK, Canvas.Anchor.END, true);
            }
            c.outline(left, top, grid, grid, Color.GRAY, 1);
            c.text(left + grid / 2, top + grid + names + 44, "predicted", 18, true, INK, Canvas.Anchor.MIDDLE, false);
            c.text(28, top + grid / 2, "true", 18, true, INK, Canvas.Anchor.MIDDLE, true);
            double bx = left + grid + 30;
            for (int s = 0; s < 100; s++) {
                c.rect(bx, top + s * grid / 100, 22, grid / 100 + 0.6, Palette.sequential(Palette.Map.BLUES, 1 - (s + 0.5) / 100));
            }
            c.outline(bx, top, 22, grid, Color.GRAY, 1);
            for (int s = 0; s <= 4; s++) {
                c.text(bx + 30, top + grid * s / 4 + 6, String.format(Locale.ROOT, "%.2f", 1 - s / 4.0), 15, false, INK, Canvas.Anchor.START, false);
            }
        });
    }
}
