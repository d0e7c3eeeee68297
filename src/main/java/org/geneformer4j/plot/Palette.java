package org.geneformer4j.plot;

import java.awt.Color;

/** Colours: scanpy's categorical palette, and sequential maps sampled at their published control points. */
public final class Palette {
    private Palette() {}

    /** scanpy's default_20 (matplotlib's tab10 and tab20 with a few swaps): distinct for up to 20 classes. */
    private static final String[] CATEGORICAL = {
        "#1f77b4", "#ff7f0e", "#279e68", "#d62728", "#aa40fc", "#8c564b", "#e377c2", "#b5bd61", "#17becf", "#aec7e8",
        "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5", "#c49c94", "#f7b6d2", "#dbdb8d", "#9edae5", "#ad494a", "#8c6d31",
    };

    /** Colour of class {@code i} of {@code n}: the 20 above, then evenly spaced hues (golden angle) beyond 20. */
    public static Color category(int i) {
        if (i < CATEGORICAL.length) {
            return Color.decode(CATEGORICAL[i]);
        }
        float hue = (float) ((i - CATEGORICAL.length) * 0.618033988749895 % 1.0);
        float sat = i % 2 == 0 ? 0.65f : 0.45f;
        float bri = i % 3 == 0 ? 0.65f : 0.85f;
        return Color.getHSBColor(hue, sat, bri);
    }

    public static final Color MISSING = new Color(0xd3, 0xd3, 0xd3);

    private static final String[] VIRIDIS = {"#440154", "#482878", "#3e4989", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58", "#b5de2b", "#fde725"};
    private static final String[] MAGMA = {"#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d", "#fd9668", "#feca8d", "#fcfdbf"};
    private static final String[] BLUES = {"#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b"};

    public enum Map { VIRIDIS, MAGMA, BLUES }

    /** The colour at {@code t} in [0, 1] of a sequential map, linearly interpolated between control points. */
    public static Color sequential(Map map, double t) {
        String[] stops = switch (map) {
            case VIRIDIS -> VIRIDIS;
            case MAGMA -> MAGMA;
            case BLUES -> BLUES;
        };
        if (Double.isNaN(t)) {
            return MISSING;
        }
        double p = Math.max(0, Math.min(1, t)) * (stops.length - 1);
        int i = Math.min(stops.length - 2, (int) p);
        double f = p - i;
        Color a = Color.decode(stops[i]);
        Color b = Color.decode(stops[i + 1]);
        return new Color(mix(a.getRed(), b.getRed(), f), mix(a.getGreen(), b.getGreen(), f), mix(a.getBlue(), b.getBlue(), f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    /** Black or white, whichever reads better on {@code background}. */
    public static Color textOn(Color background) {
        double lum = 0.299 * background.getRed() + 0.587 * background.getGreen() + 0.114 * background.getBlue();
        return lum > 140 ? Color.BLACK : Color.WHITE;
    }

    static Color withAlpha(Color c, double alpha) {
        return new Color(c.getRed(), c.getGreen(), c.getBlue(), (int) Math.round(alpha * 255));
    }
}
