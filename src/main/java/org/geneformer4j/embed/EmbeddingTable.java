package org.geneformer4j.embed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.geneformer4j.counts.H5adReader;
import org.geneformer4j.counts.ObsColumn;
import org.geneformer4j.counts.ObsTable;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.UserException;

/**
 * Embeddings read back from what {@code geneformer embed} (or upstream's {@code embs_df.to_csv}) wrote: the row ids,
 * the matrix [rows, dims], and the label columns as strings. CSV: index column, then the numeric-named columns
 * {@code 0..H-1}, then labels. NPY: float32 matrix plus {@code NAME.cells.tsv}. h5ad: {@code obsm/X_geneformer}
 * (else X) and obs.
 */
public record EmbeddingTable(String idColumn, String[] ids, float[][] matrix, Map<String, String[]> labels) {

    public int rows() {
        return ids.length;
    }

    /** The label column {@code name}, or one error line naming the columns there are. */
    public String[] label(String name) {
        String[] v = labels.get(name);
        if (v == null) {
            throw new UserException("no column '" + name + "' in the embeddings (columns: "
                    + (labels.isEmpty() ? "none; pass --emb-label to geneformer embed" : String.join(", ", labels.keySet())) + ")");
        }
        return v;
    }

    public static EmbeddingTable read(Path path) {
        if (!Files.isRegularFile(path)) {
            throw new UserException(path + ": no such file");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        try {
            if (name.endsWith(".npy")) {
                return npy(path);
            }
            if (name.endsWith(".h5ad")) {
                return h5ad(path);
            }
            if (name.endsWith(".csv")) {
                return csv(path);
            }
        } catch (IOException e) {
            throw new UserException(path + ": cannot read embeddings: " + e.getMessage(), e);
        }
        throw new UserException(path + ": embeddings must be .csv, .npy or .h5ad");
    }

    private static EmbeddingTable csv(Path path) throws IOException {
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String headerLine = in.readLine();
            if (headerLine == null) {
                throw new UserException(path + ": empty file");
            }
            List<String> header = Csv.split(headerLine);
            List<Integer> dims = new ArrayList<>();
            List<Integer> labelCols = new ArrayList<>();
            for (int c = 1; c < header.size(); c++) {
                (header.get(c).matches("\\d+") ? dims : labelCols).add(c);
            }
            if (dims.isEmpty()) {
                throw new UserException(path + ": no embedding columns (expected columns named 0, 1, 2, ...)");
            }
            List<String> ids = new ArrayList<>();
            List<float[]> rows = new ArrayList<>();
            List<List<String>> labelValues = new ArrayList<>();
            labelCols.forEach(c -> labelValues.add(new ArrayList<>()));
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                List<String> f = Csv.split(line);
                if (f.size() != header.size()) {
                    throw new UserException(path + ":" + lineNo + ": " + f.size() + " fields, header has " + header.size());
                }
                ids.add(f.get(0));
                float[] v = new float[dims.size()];
                for (int d = 0; d < v.length; d++) {
                    try {
                        v[d] = Float.parseFloat(f.get(dims.get(d)));
                    } catch (NumberFormatException e) {
                        throw new UserException(path + ":" + lineNo + ": column " + header.get(dims.get(d)) + " is not a number: '" + f.get(dims.get(d)) + "'");
                    }
                }
                rows.add(v);
                for (int l = 0; l < labelCols.size(); l++) {
                    labelValues.get(l).add(f.get(labelCols.get(l)));
                }
            }
            Map<String, String[]> labels = new LinkedHashMap<>();
            for (int l = 0; l < labelCols.size(); l++) {
                labels.put(header.get(labelCols.get(l)), labelValues.get(l).toArray(new String[0]));
            }
            return new EmbeddingTable(header.get(0), ids.toArray(new String[0]), rows.toArray(new float[0][]), labels);
        }
    }

    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\((\\d+),\\s*(\\d+)\\s*\\)");

    private static EmbeddingTable npy(Path path) throws IOException {
        float[][] m;
        try (RandomAccessFile raf = new RandomAccessFile(path.toFile(), "r"); FileChannel ch = raf.getChannel()) {
            ByteBuffer head = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(head, 0);
            if (head.get(0) != (byte) 0x93 || head.get(1) != 'N') {
                throw new UserException(path + ": not a NumPy .npy file");
            }
            int major = head.get(6);
            int hlen;
            int start;
            if (major == 1) {
                hlen = head.getShort(8) & 0xffff;
                start = 10;
            } else {
                ByteBuffer l = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(l, 8);
                hlen = l.getInt(0);
                start = 12;
            }
            ByteBuffer h = ByteBuffer.allocate(hlen);
            ch.read(h, start);
            String dict = new String(h.array(), StandardCharsets.US_ASCII);
            Matcher sm = SHAPE.matcher(dict);
            if (!dict.contains("'<f4'") || dict.contains("'fortran_order': True") || !sm.find()) {
                throw new UserException(path + ": expected a C-ordered float32 matrix, header is " + dict.trim());
            }
            int n = Integer.parseInt(sm.group(1));
            int d = Integer.parseInt(sm.group(2));
            ByteBuffer data = ch.map(FileChannel.MapMode.READ_ONLY, start + hlen, (long) n * d * 4).order(ByteOrder.LITTLE_ENDIAN);
            m = new float[n][d];
            for (int i = 0; i < n; i++) {
                data.asFloatBuffer().position(i * d).get(m[i]);
            }
        }
        Path tsv = path.resolveSibling(path.getFileName().toString().replaceFirst("\\.npy$", "") + ".cells.tsv");
        String[] ids = new String[m.length];
        Map<String, String[]> labels = new LinkedHashMap<>();
        String idColumn = "cell";
        if (Files.exists(tsv)) {
            List<String> lines = Files.readAllLines(tsv, StandardCharsets.UTF_8);
            String[] header = lines.get(0).split("\t", -1);
            idColumn = header[0];
            if (lines.size() - 1 != m.length) {
                throw new UserException(tsv + ": " + (lines.size() - 1) + " rows but " + path.getFileName() + " has " + m.length);
            }
            for (int c = 1; c < header.length; c++) {
                labels.put(header[c], new String[m.length]);
            }
            for (int i = 0; i < m.length; i++) {
                String[] f = lines.get(i + 1).split("\t", -1);
                ids[i] = f[0];
                for (int c = 1; c < header.length; c++) {
                    labels.get(header[c])[i] = c < f.length ? f[c] : "";
                }
            }
        } else {
            for (int i = 0; i < ids.length; i++) {
                ids[i] = Integer.toString(i);
            }
        }
        return new EmbeddingTable(idColumn, ids, m, labels);
    }

    private static EmbeddingTable h5ad(Path path) throws IOException {
        try (H5adReader r = H5adReader.open(path, null, false)) {
            float[][] m = Obsm.read(path, "X_geneformer");
            if (m == null) {
                var block = r.readRows(0, r.nCells());
                m = new float[r.nCells()][r.nGenes()];
                for (int i = 0; i < m.length; i++) {
                    for (int p = block.indptr()[i]; p < block.indptr()[i + 1]; p++) {
                        m[i][block.indices()[p]] = (float) block.values()[p];
                    }
                }
            }
            ObsTable obs = r.obs();
            Map<String, String[]> labels = new LinkedHashMap<>();
            for (String name : obs.names()) {
                ObsColumn c = obs.column(name);
                String[] v = new String[obs.size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = c.asString(i);
                }
                labels.put(name, v);
            }
            return new EmbeddingTable(r.obsIndexName(), obs.index(), m, labels);
        }
    }
}
