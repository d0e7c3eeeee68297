package org.geneformer4j.counts;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * AnnData {@code .h5ad}: X (or {@code layers/NAME}, or {@code raw/X} with {@code raw/var}) as CSR, CSC or dense;
 * obs and var dataframes with categoricals, nullable columns and the legacy compound layout.
 */
public final class H5adReader implements CellMatrixReader {
    private final Path path;
    private final HdfFile hdf;
    private final ObsTable obs;
    private final ObsTable var;
    private final int nCells;
    private final int nGenes;
    private final RowSource rows;
    private final boolean float32;
    private final boolean dense;

    private H5adReader(Path path, String layer, boolean raw) {
        this.path = path;
        this.hdf = Hdf5.open(path);
        try {
            String matrixPath = raw ? "raw/X" : layer != null ? "layers/" + layer : "X";
            Node matrix = find(matrixPath);
            if (matrix == null) {
                String what = raw ? "no raw/X (the file has no .raw)" : layer != null
                        ? "no layer '" + layer + "' (layers: " + layerNames() + ")" : "no X matrix";
                throw new UserException(path + ": " + what);
            }
            this.obs = readFrame("obs");
            this.var = readFrame(raw ? "raw/var" : "var");
            this.rows = openMatrix(matrix);
            Dataset values = matrix instanceof Dataset d ? d : Hdf5.dataset((Group) matrix, "data", path);
            this.float32 = values.getJavaType() == float.class;
            this.dense = matrix instanceof Dataset;
            this.nCells = rows.nRows();
            this.nGenes = rows.nCols();
            if (obs.size() != nCells) {
                throw new UserException(path + ": obs has " + obs.size() + " rows but the matrix has " + nCells);
            }
            if (var.size() != nGenes) {
                throw new UserException(path + ": var has " + var.size() + " rows but the matrix has " + nGenes + " columns");
            }
        } catch (RuntimeException e) {
            hdf.close();
            throw Hdf5.corrupt(path, e);
        }
    }

    public static H5adReader open(Path path, String layer, boolean raw) {
        return new H5adReader(path, layer, raw);
    }

    private Node find(String p) {
        Node n = hdf;
        for (String part : p.split("/")) {
            if (!(n instanceof Group g)) {
                return null;
            }
            n = g.getChildren().get(part);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    private String layerNames() {
        Node l = find("layers");
        return l instanceof Group g && !g.getChildren().isEmpty() ? String.join(", ", g.getChildren().keySet()) : "none";
    }

    // ---- dataframes -------------------------------------------------------------------------------------

    private ObsTable readFrame(String where) {
        Node node = find(where);
        if (node == null) {
            throw new UserException(path + ": missing '" + where + "' (is this an AnnData .h5ad file?)");
        }
        if (node instanceof Dataset ds && ds.isCompound()) {
            return legacyFrame(ds);
        }
        if (!(node instanceof Group g)) {
            throw new UserException(path + ": '" + where + "' is not a dataframe");
        }
        String indexName = Hdf5.attrString(g, "_index");
        if (indexName == null) {
            indexName = "_index";
        }
        Node idx = g.getChildren().get(indexName);
        String[] index = idx instanceof Dataset d ? Hdf5.toStrings(Hdf5.read(d, path)) : null;
        String[] order = Hdf5.attrStrings(g, "column-order");
        List<String> names = order != null ? Arrays.asList(order) : Hdf5.childNames(g);
        List<ObsColumn> cols = new ArrayList<>();
        for (String name : names) {
            if (name.equals(indexName) || name.equals("__categories")) {
                continue;
            }
            Node c = g.getChildren().get(name);
            if (c != null) {
                ObsColumn col = readColumn(name, c);
                if (col != null) {
                    cols.add(col);
                }
            }
        }
        if (index == null) {
            int n = cols.isEmpty() ? 0 : cols.get(0).size();
            index = new String[n];
            for (int i = 0; i < n; i++) index[i] = Integer.toString(i);
        }
        return new ObsTable(index, cols);
    }

    private ObsColumn readColumn(String name, Node c) {
        if (c instanceof Dataset ds) {
            if (ds.getDimensions().length != 1) {
                return null;
            }
            return Hdf5.column(name, Hdf5.read(ds, path));
        }
        Group g = (Group) c;
        String enc = Hdf5.attrString(g, "encoding-type");
        if ("categorical".equals(enc)) {
            long[] codes = Hdf5.toLongs(Hdf5.read(Hdf5.dataset(g, "codes", path), path));
            Object cats = Hdf5.read(Hdf5.dataset(g, "categories", path), path);
            ObsColumn catCol = Hdf5.column(name, cats);
            String[] out = new String[codes.length];
            for (int i = 0; i < codes.length; i++) {
                out[i] = codes[i] < 0 ? null : catCol.asString((int) codes[i]);
            }
            if (catCol.isNumeric()) {
                // Numeric categories (e.g. cluster numbers) stay numbers for users filtering on them.
                double[] d = new double[codes.length];
                for (int i = 0; i < codes.length; i++) d[i] = codes[i] < 0 ? Double.NaN : catCol.asDouble((int) codes[i]);
                return ObsColumn.doubles(name, d);
            }
            return ObsColumn.strings(name, out);
        }
        if (enc != null && enc.startsWith("nullable-")) {
            ObsColumn values = Hdf5.column(name, Hdf5.read(Hdf5.dataset(g, "values", path), path));
            Object maskData = Hdf5.read(Hdf5.dataset(g, "mask", path), path);
            ObsColumn mask = Hdf5.column("mask", maskData);
            double[] d = new double[values.size()];
            for (int i = 0; i < d.length; i++) d[i] = mask.asDouble(i) != 0 ? Double.NaN : values.asDouble(i);
            return ObsColumn.doubles(name, d);
        }
        return null;
    }

    @SuppressWarnings("unchecked")
    private ObsTable legacyFrame(Dataset ds) {
        Map<String, Object> fields = (Map<String, Object>) Hdf5.read(ds, path);
        String[] index = null;
        List<ObsColumn> cols = new ArrayList<>();
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (e.getKey().equals("index") || e.getKey().equals("_index")) {
                index = Hdf5.toStrings(e.getValue());
            } else {
                cols.add(Hdf5.column(e.getKey(), e.getValue()));
            }
        }
        if (index == null) {
            throw new UserException(path + ": legacy dataframe " + ds.getPath() + " has no index field");
        }
        return new ObsTable(index, cols);
    }

    // ---- matrix -----------------------------------------------------------------------------------------

    private interface RowSource {
        int nRows();

        int nCols();

        CsrBlock read(int start, int end) throws IOException;
    }

    private RowSource openMatrix(Node m) {
        if (m instanceof Dataset ds) {
            int[] dims = ds.getDimensions();
            if (dims.length != 2) {
                throw new UserException(path + ": " + ds.getPath() + " is not a 2-D matrix");
            }
            return new DenseRows(ds, dims[0], dims[1]);
        }
        Group g = (Group) m;
        String enc = Hdf5.attrString(g, "encoding-type");
        if (enc == null) {
            String legacy = Hdf5.attrString(g, "h5sparse_format");
            enc = legacy == null ? null : legacy + "_matrix";
        }
        long[] shape = Hdf5.attrLongs(g, "shape");
        if (shape == null) {
            shape = Hdf5.attrLongs(g, "h5sparse_shape");
        }
        if (shape == null || shape.length != 2) {
            throw new UserException(path + ": sparse matrix " + g.getPath() + " has no shape attribute");
        }
        Dataset data = Hdf5.dataset(g, "data", path);
        Dataset indices = Hdf5.dataset(g, "indices", path);
        long[] indptr = Hdf5.toLongs(Hdf5.read(Hdf5.dataset(g, "indptr", path), path));
        int rows = Math.toIntExact(shape[0]);
        int cols = Math.toIntExact(shape[1]);
        if ("csr_matrix".equals(enc)) {
            checkIndptr(indptr, rows, data);
            SlicedCsr csr = new SlicedCsr(path, data, indices, indptr, null);
            return new RowSource() {
                public int nRows() {
                    return rows;
                }

                public int nCols() {
                    return cols;
                }

                public CsrBlock read(int start, int end) {
                    return csr.read(start, end);
                }
            };
        }
        if ("csc_matrix".equals(enc)) {
            checkIndptr(indptr, cols, data);
            return new CscRows(data, indices, indptr, rows, cols);
        }
        throw new UserException(path + ": unsupported matrix encoding '" + enc + "' at " + g.getPath());
    }

    private void checkIndptr(long[] indptr, int n, Dataset data) {
        if (indptr.length != n + 1 || indptr[n] != data.getSize()) {
            throw new UserException(path + ": inconsistent sparse matrix (indptr length " + indptr.length
                    + ", last " + (indptr.length > 0 ? indptr[indptr.length - 1] : -1) + ", data length " + data.getSize() + ")");
        }
    }

    /**
     * CSC holds each gene's cells contiguously, so a block of cells is scattered over the whole file. Rather than
     * densify, rows are served from a window of cells built by one streaming pass over the columns; the window is
     * sized so its entries stay within a fixed memory budget, so a large file costs a few passes, not the heap.
     */
    private final class CscRows implements RowSource {
        private static final long WINDOW_ENTRIES = 1L << 25;
        private static final int STREAM_CHUNK = 1 << 22;
        private final ChunkedArray data;
        private final ChunkedArray indices;
        private final long[] indptr;
        private final int rows;
        private final int cols;
        private CsrBlock window;

        CscRows(Dataset data, Dataset indices, long[] indptr, int rows, int cols) {
            this.data = new ChunkedArray(data, path);
            this.indices = new ChunkedArray(indices, path);
            this.indptr = indptr;
            this.rows = rows;
            this.cols = cols;
        }

        public int nRows() {
            return rows;
        }

        public int nCols() {
            return cols;
        }

        public CsrBlock read(int start, int end) {
            if (window == null || start < window.firstRow() || end > window.firstRow() + window.rows()) {
                long total = indptr[cols];
                double perRow = rows == 0 ? 1 : Math.max(1.0, (double) total / rows);
                int span = (int) Math.max(end - start, Math.min(rows - start, WINDOW_ENTRIES / perRow));
                window = buildWindow(start, Math.min(rows, start + span));
            }
            return slice(window, start, end);
        }

        private CsrBlock buildWindow(int ws, int we) {
            int n = we - ws;
            int[] count = new int[n + 1];
            long total = indptr[cols];
            // pass 1: count entries per row of the window
            for (long off = 0; off < total; off += STREAM_CHUNK) {
                int len = (int) Math.min(STREAM_CHUNK, total - off);
                int[] r = Hdf5.toInts(indices.slice(off, len));
                for (int v : r) {
                    if (v >= ws && v < we) count[v - ws + 1]++;
                }
            }
            for (int i = 0; i < n; i++) count[i + 1] += count[i];
            int[] ptr = count.clone();
            int[] fill = Arrays.copyOf(count, n);
            int[] idx = new int[ptr[n]];
            double[] val = new double[ptr[n]];
            // pass 2: scatter; columns arrive in ascending order so each row's indices stay sorted
            int col = 0;
            for (long off = 0; off < total; off += STREAM_CHUNK) {
                int len = (int) Math.min(STREAM_CHUNK, total - off);
                int[] r = Hdf5.toInts(indices.slice(off, len));
                double[] d = null;
                for (int k = 0; k < len; k++) {
                    int row = r[k];
                    if (row < ws || row >= we) continue;
                    if (d == null) d = Hdf5.toDoubles(data.slice(off, len));
                    long pos = off + k;
                    while (indptr[col + 1] <= pos) col++;
                    int at = fill[row - ws]++;
                    idx[at] = col;
                    val[at] = d[k];
                }
            }
            return new CsrBlock(ws, n, ptr, idx, val);
        }
    }

    private static CsrBlock slice(CsrBlock w, int start, int end) {
        int a = start - w.firstRow();
        int b = end - w.firstRow();
        int from = w.indptr()[a];
        int to = w.indptr()[b];
        int[] ptr = new int[b - a + 1];
        for (int i = 0; i <= b - a; i++) ptr[i] = w.indptr()[a + i] - from;
        return new CsrBlock(start, end - start, ptr, Arrays.copyOfRange(w.indices(), from, to),
                Arrays.copyOfRange(w.values(), from, to));
    }

    private final class DenseRows implements RowSource {
        private final Dataset ds;
        private final int rows;
        private final int cols;

        DenseRows(Dataset ds, int rows, int cols) {
            this.ds = ds;
            this.rows = rows;
            this.cols = cols;
        }

        public int nRows() {
            return rows;
        }

        public int nCols() {
            return cols;
        }

        public CsrBlock read(int start, int end) {
            Object slab;
            try {
                slab = ds.getData(new long[] {start, 0}, new int[] {end - start, cols});
            } catch (RuntimeException e) {
                throw new UserException(path + ": cannot read " + ds.getPath() + ": " + e.getMessage(), e);
            }
            return DenseToCsr.rows(start, slab, false);
        }
    }

    /** The name of obs's index column (anndata's {@code _index} attribute). */
    public String obsIndexName() {
        Node o = find("obs");
        String name = o instanceof Group g ? Hdf5.attrString(g, "_index") : null;
        return name == null ? "_index" : name;
    }

    @Override
    public boolean float32Values() {
        return float32;
    }

    /** anndata loads a dense X as a numpy array, which upstream then divides elementwise. */
    @Override
    public boolean denseInUpstream() {
        return dense;
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int nCells() {
        return nCells;
    }

    @Override
    public int nGenes() {
        return nGenes;
    }

    @Override
    public ObsTable var() {
        return var;
    }

    @Override
    public ObsTable obs() {
        return obs;
    }

    @Override
    public CsrBlock readRows(int start, int end) throws IOException {
        return rows.read(start, end);
    }

    @Override
    public void close() {
        hdf.close();
    }
}
