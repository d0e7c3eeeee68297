package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.imageio.ImageIO;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlotCliTest {
    @TempDir
    static Path tmp;
    static Path blobs;
    static Path predictions;

    /** 20 well-separated classes (some with long names) in 12-D, a numeric column, and a predictions table. */
    @BeforeAll
    static void data() throws Exception {
        Random r = new Random(5);
        double[][] centres = new double[20][12];
        for (double[] c : centres) {
            for (int j = 0; j < c.length; j++) {
                c[j] = r.nextGaussian() * 6;
            }
        }
        StringBuilder sb = new StringBuilder("cell");
        for (int j = 0; j < 12; j++) {
            sb.append(',').append(j);
        }
        sb.append(",cell_type,score\n");
        for (int i = 0; i < 600; i++) {
            int c = i % 20;
            sb.append("c").append(i);
            for (int j = 0; j < 12; j++) {
                sb.append(',').append((float) (centres[c][j] + r.nextGaussian()));
            }
            sb.append(",\"type ").append(c).append(c % 3 == 0 ? ", a longer name" : "").append('"').append(',').append(r.nextDouble()).append('\n');
        }
        blobs = tmp.resolve("blobs.csv");
        Files.writeString(blobs, sb);
        StringBuilder p = new StringBuilder("cell,label,predicted,prob_no,prob_yes\n");
        for (int i = 0; i < 200; i++) {
            boolean yes = i % 2 == 0;
            double prob = Math.min(1, Math.max(0, (yes ? 0.65 : 0.35) + r.nextGaussian() * 0.2));
            p.append(i).append(',').append(yes ? "yes" : "no").append(',').append(prob > 0.5 ? "yes" : "no").append(',')
                    .append(1 - prob).append(',').append(prob).append('\n');
        }
        predictions = tmp.resolve("pred.csv");
        Files.writeString(predictions, p);
    }

    @Test
    void umapPngAndSvgWithOnePanelPerColumnAndDistinctColours() throws Exception {
        Path png = tmp.resolve("u.png");
        Path layout = tmp.resolve("u.csv");
        Cli r = Cli.run("plot", "umap", "-i", blobs.toString(), "--color", "cell_type,score", "-o", png.toString(),
                "--save-layout", layout.toString());
        assertEquals(0, r.exit(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertTrue(img.getWidth() > 2 * img.getHeight(), "two panels side by side: " + img.getWidth() + "x" + img.getHeight());
        var t = org.geneformer4j.util.Csv.columns(layout);
        assertEquals(600, t.get("UMAP1").size());
        assertEquals("type 3, a longer name", t.get("cell_type").get(3));

        Path svg = tmp.resolve("u.svg");
        assertEquals(0, Cli.run("plot", "umap", "-i", blobs.toString(), "--color", "cell_type", "-o", svg.toString()).exit());
        String doc = Files.readString(svg, StandardCharsets.UTF_8);
        for (int c = 0; c < 20; c++) {
            assertTrue(doc.contains(">type " + c + (c % 3 == 0 ? ", a longer name" : "") + "  (30)</text>"), "legend entry " + c);
        }
        // legend markers are the r="8" circles: 20 different colours
        Matcher m = Pattern.compile("<circle cx=\"[^\"]+\" cy=\"[^\"]+\" r=\"8\" fill=\"(#[0-9a-f]{6})\"").matcher(doc);
        Set<String> colours = new HashSet<>();
        int markers = 0;
        while (m.find()) {
            colours.add(m.group(1));
            markers++;
        }
        assertEquals(20, markers);
        assertEquals(20, colours.size());
        // nothing drawn outside the canvas
        Matcher size = Pattern.compile("width=\"(\\d+)\" height=\"(\\d+)\"").matcher(doc);
        assertTrue(size.find());
        double w = Double.parseDouble(size.group(1));
        Matcher xs = Pattern.compile("<text x=\"([-0-9.]+)\"").matcher(doc);
        while (xs.find()) {
            double x = Double.parseDouble(xs.group(1));
            assertTrue(x >= 0 && x < w, "text at x=" + x + " outside width " + w);
        }
    }

    @Test
    void heatmapConfusionAndRoc() throws Exception {
        Path heat = tmp.resolve("h.png");
        assertEquals(0, Cli.run("plot", "heatmap", "-i", blobs.toString(), "--color", "cell_type", "-o", heat.toString()).exit());
        assertTrue(ImageIO.read(heat.toFile()).getHeight() > 1000);
        Path conf = tmp.resolve("c.svg");
        Cli c = Cli.run("plot", "confusion", "-i", predictions.toString(), "-o", conf.toString());
        assertEquals(0, c.exit(), c.err());
        assertTrue(c.err().contains("accuracy"), c.err());
        assertTrue(Files.readString(conf).contains(">predicted</text>"));
        Path roc = tmp.resolve("r.png");
        Cli rr = Cli.run("plot", "roc", "-i", predictions.toString(), "-o", roc.toString());
        assertEquals(0, rr.exit(), rr.err());
        assertTrue(rr.err().contains("yes: AUC 0.8") || rr.err().contains("yes: AUC 0.9"), rr.err());
        assertFalse(rr.err().contains("no: AUC"), "binary task: only the positive (second) class");
    }

    @Test
    void embedWithPlotStoresTheLayoutInTheH5ad() throws Exception {
        Path out = tmp.resolve("e.h5ad");
        Cli r = Cli.run("embed", "--model", TestData.resource("fixtures/model/tiny_v2").toString(), "-i",
                TestData.example().toString(), "-o", out.toString(), "--emb-label", "louvain", "--max-ncells", "200", "--plot", "umap");
        assertEquals(0, r.exit(), r.err());
        assertTrue(Files.exists(tmp.resolve("e.umap.png")));
        try (var h = org.geneformer4j.counts.H5adReader.open(out, null, false)) {
            float[][] xy = org.geneformer4j.embed.Obsm.read(out, "X_umap");
            assertEquals(200, xy.length);
            assertEquals(2, xy[0].length);
            assertEquals("cell_id", h.obsIndexName());
            assertTrue(h.obs().has("louvain"));
            float[][] emb = org.geneformer4j.embed.Obsm.read(out, "X_geneformer");
            assertEquals(200, emb.length);
        }
        // the layout is the one plot umap computes from the same embeddings with the same seed
        Path layout = tmp.resolve("e_layout.csv");
        assertEquals(0, Cli.run("plot", "umap", "-i", out.toString(), "-o", tmp.resolve("e2.png").toString(),
                "--save-layout", layout.toString()).exit());
        var l = org.geneformer4j.util.Csv.columns(layout);
        try (var h = org.geneformer4j.counts.H5adReader.open(out, null, false)) {
            float[][] xy = org.geneformer4j.embed.Obsm.read(out, "X_umap");
            for (int i = 0; i < xy.length; i++) {
                assertArrayEquals(xy[i], new float[] {Float.parseFloat(l.get("UMAP1").get(i)), Float.parseFloat(l.get("UMAP2").get(i))});
            }
        }
    }

    @Test
    void badInputGetsOneErrorLine() throws Exception {
        Cli missing = Cli.run("plot", "umap", "-i", blobs.toString(), "--color", "donor", "-o", tmp.resolve("x.png").toString());
        assertEquals(1, missing.exit());
        assertEquals(1, missing.errorLines());
        assertTrue(missing.err().contains("no column 'donor'") && missing.err().contains("cell_type"), missing.err());
        Cli ext = Cli.run("plot", "umap", "-i", blobs.toString(), "-o", tmp.resolve("x.pdf").toString());
        assertEquals(1, ext.exit());
        assertTrue(ext.err().contains(".png or .svg"), ext.err());
        Path broken = tmp.resolve("broken.csv");
        Files.writeString(broken, "cell,0,1\nc1,0.5,zero\n");
        Cli bad = Cli.run("plot", "heatmap", "-i", broken.toString(), "-o", tmp.resolve("b.png").toString());
        assertEquals(1, bad.exit());
        assertTrue(bad.err().toLowerCase(Locale.ROOT).contains("not a number"), bad.err());
        Cli noProb = Cli.run("plot", "roc", "-i", blobs.toString(), "--truth", "cell_type", "-o", tmp.resolve("r.png").toString());
        assertEquals(1, noProb.exit());
        assertEquals(1, noProb.errorLines());
        assertFalse(Files.exists(tmp.resolve("x.png")));
    }
}
