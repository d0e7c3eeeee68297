package org.geneformer4j.embed;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * An {@code .h5ad} in anndata's on-disk layout: obs = the row ids (index) and carried columns as string arrays,
 * the embedding in {@code obsm/X_geneformer} and also as X (var = the embedding dimensions), so that tools which
 * only look at X see it too. Rows are held until {@link #commit()}, which writes the {@link AtomicFile}'s staging
 * file and renames it.
 */
public final class H5adSink implements EmbeddingSink {
    private final AtomicFile file;
    private String idColumn;
    private List<String> labelColumns;
    private final List<String> ids = new ArrayList<>();
    private final List<float[]> rows = new ArrayList<>();
    private final List<String[]> labels = new ArrayList<>();

    H5adSink(Path path, boolean overwrite) {
        this.file = AtomicFile.create(path, overwrite);
        try {
            probe(file.temp());
        } catch (IOException | RuntimeException e) {
            file.close();
            throw new UserException("cannot write " + path + " (.h5ad): " + e, e);
        }
    }

    /**
     * Writes a one-cell file of each shape a run can produce (with and without label columns) to the staging path
     * and removes it: a failure of the HDF5 writer then comes before the model runs, not after all the compute.
     */
    private static void probe(Path temp) throws IOException {
        float[][] one = {{0f}};
        write(new EmbeddingTable("cell_id", new String[] {"probe"}, one, java.util.Map.of()), java.util.Map.of(), temp);
        write(new EmbeddingTable("cell_id", new String[] {"probe"}, one, java.util.Map.of("label", new String[] {"x"})),
                java.util.Map.of("X_umap", new float[][] {{0f, 0f}}), temp);
        Files.delete(temp);
    }

    @Override
    public void begin(int hidden, String idColumn, List<String> labelColumns) {
        this.idColumn = idColumn;
        this.labelColumns = labelColumns;
    }

    @Override
    public void row(String id, float[] embedding, String[] rowLabels) {
        ids.add(id);
        rows.add(embedding);
        labels.add(rowLabels);
    }

    @Override
    public void commit() throws IOException {
        String[] idArr = ids.toArray(new String[0]);
        java.util.Map<String, String[]> cols = new java.util.LinkedHashMap<>();
        for (int c = 0; c < labelColumns.size(); c++) {
            String[] col = new String[labels.size()];
            for (int r = 0; r < col.length; r++) {
                String v = labels.get(r)[c];
                col[r] = v == null ? "" : v;
            }
            cols.put(labelColumns.get(c), col);
        }
        write(new EmbeddingTable(idColumn, idArr, rows.toArray(new float[0][]), cols), java.util.Map.of(), file.temp());
        file.commit();
    }

    /** Replaces the .h5ad at {@code path} by {@code table} plus extra obsm matrices (such as X_umap), atomically. */
    public static void rewrite(Path path, EmbeddingTable table, java.util.Map<String, float[][]> obsm) throws IOException {
        try (AtomicFile f = AtomicFile.create(path, true)) {
            write(table, obsm, f.temp());
            f.commit();
        }
    }

    private static void write(EmbeddingTable t, java.util.Map<String, float[][]> extraObsm, Path temp) throws IOException {
        Files.deleteIfExists(temp);
        float[][] x = t.matrix();
        int h = x.length == 0 ? 0 : x[0].length;
        try (WritableHdfFile f = HdfFile.write(temp)) {
            f.putAttribute("encoding-type", "anndata");
            f.putAttribute("encoding-version", "0.1.0");
            encoded(f.putDataset("X", x), "array");
            WritableGroup obs = f.putGroup("obs");
            dataframe(obs, t.idColumn(), t.labels().keySet().toArray(new String[0]));
            encoded(obs.putDataset(t.idColumn(), t.ids()), "string-array");
            for (var e : t.labels().entrySet()) {
                encoded(obs.putDataset(e.getKey(), e.getValue()), "string-array");
            }
            WritableGroup var = f.putGroup("var");
            dataframe(var, "_index", new String[] {"dimension"});
            String[] dims = new String[h];
            long[] dimIndex = new long[h];
            for (int i = 0; i < h; i++) {
                dims[i] = Integer.toString(i);
                dimIndex[i] = i;
            }
            encoded(var.putDataset("_index", dims), "string-array");
            encoded(var.putDataset("dimension", dimIndex), "array");
            WritableGroup obsm = f.putGroup("obsm");
            obsm.putAttribute("encoding-type", "dict");
            obsm.putAttribute("encoding-version", "0.1.0");
            encoded(obsm.putDataset("X_geneformer", x), "array");
            for (var e : extraObsm.entrySet()) {
                encoded(obsm.putDataset(e.getKey(), e.getValue()), "array");
            }
        }
    }

    private static void dataframe(WritableGroup g, String index, String[] columns) {
        g.putAttribute("encoding-type", "dataframe");
        g.putAttribute("encoding-version", "0.2.0");
        g.putAttribute("_index", index);
        // anndata reads list(attrs["column-order"]); jhdf cannot write an empty array, and list("") is [] too
        if (columns.length == 0) {
            g.putAttribute("column-order", "");
        } else {
            g.putAttribute("column-order", columns);
        }
    }

    private static void encoded(WritableDataset d, String type) {
        d.putAttribute("encoding-type", type);
        d.putAttribute("encoding-version", "0.2.0");
    }

    @Override
    public void close() {
        file.close();
    }
}
