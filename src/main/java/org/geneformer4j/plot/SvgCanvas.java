package org.geneformer4j.plot;

import java.awt.Color;
import java.util.Locale;

/** SVG 1.1 text; coordinates rounded to 0.01 px, text in DejaVu Sans with generic fallbacks. */
final class SvgCanvas implements Canvas {
    private final int width;
    private final int height;
    private final StringBuilder out = new StringBuilder(1 << 16);

    SvgCanvas(int width, int height) {
        this.width = width;
        this.height = height;
        out.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"").append(width)
                .append("\" height=\"").append(height).append("\" viewBox=\"0 0 ").append(width).append(' ').append(height)
                .append("\" font-family=\"'").append(Fonts.FAMILY).append("', Verdana, Arial, sans-serif\">\n")
                .append("<rect width=\"100%\" height=\"100%\" fill=\"#ffffff\"/>\n");
    }

    String document() {
        return out + "</svg>\n";
    }

    @Override
    public int width() {
        return width;
    }

    @Override
    public int height() {
        return height;
    }

    private static String n(double v) {
        String s = String.format(Locale.ROOT, "%.2f", v);
        s = s.indexOf('.') >= 0 ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
        return s.equals("-0") ? "0" : s;
    }

    private static String hex(Color c) {
        return String.format(Locale.ROOT, "#%02x%02x%02x", c.getRed(), c.getGreen(), c.getBlue());
    }

    private static String opacity(Color c) {
        return c.getAlpha() == 255 ? "" : " fill-opacity=\"" + n(c.getAlpha() / 255.0) + "\"";
    }

    @Override
    public void rect(double x, double y, double w, double h, Color fill) {
        out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                .append("\" height=\"").append(n(h)).append("\" fill=\"").append(hex(fill)).append('"').append(opacity(fill)).append("/>\n");
    }

    @Override
    public void outline(double x, double y, double w, double h, Color stroke, double lineWidth) {
        out.append("<rect x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" width=\"").append(n(w))
                .append("\" height=\"").append(n(h)).append("\" fill=\"none\" stroke=\"").append(hex(stroke))
                .append("\" stroke-width=\"").append(n(lineWidth)).append("\"/>\n");
    }

    @Override
    public void line(double x1, double y1, double x2, double y2, Color stroke, double lineWidth) {
        out.append("<line x1=\"").append(n(x1)).append("\" y1=\"").append(n(y1)).append("\" x2=\"").append(n(x2))
                .append("\" y2=\"").append(n(y2)).append("\" stroke=\"").append(hex(stroke)).append("\" stroke-width=\"")
                .append(n(lineWidth)).append("\"/>\n");
    }

    @Override
    public void polyline(double[] xs, double[] ys, Color stroke, double lineWidth) {
        out.append("<polyline fill=\"none\" stroke=\"").append(hex(stroke)).append("\" stroke-width=\"").append(n(lineWidth))
                .append("\" stroke-linejoin=\"round\" points=\"");
        for (int i = 0; i < xs.length; i++) {
            out.append(i == 0 ? "" : " ").append(n(xs[i])).append(',').append(n(ys[i]));
        }
        out.append("\"/>\n");
    }

    @Override
    public void circle(double cx, double cy, double r, Color fill) {
        out.append("<circle cx=\"").append(n(cx)).append("\" cy=\"").append(n(cy)).append("\" r=\"").append(n(r))
                .append("\" fill=\"").append(hex(fill)).append('"').append(opacity(fill)).append("/>\n");
    }

    @Override
    public void text(double x, double y, String s, double size, boolean bold, Color color, Anchor anchor, boolean rotate) {
        out.append("<text x=\"").append(n(x)).append("\" y=\"").append(n(y)).append("\" font-size=\"").append(n(size)).append('"');
        if (bold) {
            out.append(" font-weight=\"bold\"");
        }
        if (anchor != Anchor.START) {
            out.append(" text-anchor=\"").append(anchor == Anchor.MIDDLE ? "middle" : "end").append('"');
        }
        if (rotate) {
            out.append(" transform=\"rotate(-90 ").append(n(x)).append(' ').append(n(y)).append(")\"");
        }
        out.append(" fill=\"").append(hex(color)).append("\">").append(escape(s)).append("</text>\n");
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
