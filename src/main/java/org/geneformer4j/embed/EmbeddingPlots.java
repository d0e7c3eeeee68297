package org.geneformer4j.embed;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.engine.Sample;
import org.geneformer4j.plot.Heatmap;
import org.geneformer4j.plot.ScatterPlot;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.UserException;

/** Pictures of an embedding table: {@code embed --plot} and {@code geneformer plot umap|heatmap} draw through these. */
public final class EmbeddingPlots {
    private EmbeddingPlots() {}

    /** A scatter of the 2-D layout {@code xy}, one panel per colour column. */
    public static void umap(EmbeddingTable t, float[][] xy, List<String> colour, Path output, boolean overwrite) {
        ScatterPlot p = new ScatterPlot(xy);
        for (String c : colour) {
            p.colourBy(c, t.label(c));
        }
        p.write(output, overwrite);
    }

    /** The clustered heatmap of the rows, with a colour bar for one label column (or none). */
    public static void heatmap(EmbeddingTable t, String colour, Path output, boolean overwrite) {
        new Heatmap(t.matrix(), colour, colour == null ? null : t.label(colour), "embedding dimensions").write(output, overwrite);
    }

    /** The layout as CSV: id, UMAP1, UMAP2, then the label columns. */
    public static void writeLayout(EmbeddingTable t, float[][] xy, Path path, boolean overwrite) {
        StringBuilder sb = new StringBuilder(t.idColumn()).append(",UMAP1,UMAP2");
        t.labels().keySet().forEach(k -> sb.append(',').append(Csv.quote(k)));
        sb.append('\n');
        for (int i = 0; i < xy.length; i++) {
            sb.append(Csv.quote(t.ids()[i])).append(',').append(xy[i][0]).append(',').append(xy[i][1]);
            for (String[] v : t.labels().values()) {
                sb.append(',').append(Csv.quote(v[i]));
            }
            sb.append('\n');
        }
        try (AtomicFile f = AtomicFile.create(path, overwrite)) {
            f.stream().write(sb.toString().getBytes(StandardCharsets.UTF_8));
            f.commit();
        } catch (java.io.IOException e) {
            throw new UserException(path + ": " + e.getMessage(), e);
        }
    }

    /** At most {@code max} rows (0: all), the engine's seeded {@link Sample}, kept in file order. */
    public static EmbeddingTable sample(EmbeddingTable t, int max, long seed) {
        if (max <= 0 || t.rows() <= max) {
            return t;
        }
        int[] keep = Sample.indices(t.rows(), max, seed);
        String[] ids = new String[max];
        float[][] m = new float[max][];
        Map<String, String[]> labels = new LinkedHashMap<>();
        t.labels().keySet().forEach(k -> labels.put(k, new String[max]));
        for (int i = 0; i < max; i++) {
            ids[i] = t.ids()[keep[i]];
            m[i] = t.matrix()[keep[i]];
            for (var e : t.labels().entrySet()) {
                labels.get(e.getKey())[i] = e.getValue()[keep[i]];
            }
        }
        return new EmbeddingTable(t.idColumn(), ids, m, labels);
    }
}
