package org.geneformer4j.plot;

import java.awt.Color;

/**
 * What a figure is drawn on: a few primitives in pixel coordinates (origin top left), implemented once for raster
 * (PNG) and once for vector (SVG) output, so that every plot is written once and looks the same in both.
 */
public interface Canvas {
    enum Anchor { START, MIDDLE, END }

    int width();

    int height();

    void rect(double x, double y, double w, double h, Color fill);

    void outline(double x, double y, double w, double h, Color stroke, double lineWidth);

    void line(double x1, double y1, double x2, double y2, Color stroke, double lineWidth);

    /** An open path through the points. */
    void polyline(double[] xs, double[] ys, Color stroke, double lineWidth);

    void circle(double cx, double cy, double r, Color fill);

    /** Text with its baseline at y; {@code rotate} turns it 90 degrees anticlockwise about (x, y). */
    void text(double x, double y, String s, double size, boolean bold, Color color, Anchor anchor, boolean rotate);

    /** Width of {@code s} in pixels at this size (the same font metrics for both outputs). */
    default double textWidth(String s, double size, boolean bold) {
        return Fonts.width(s, size, bold);
    }
}
