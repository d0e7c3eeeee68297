package org.geneformer4j.counts;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.geneformer4j.util.TextFiles;
import org.geneformer4j.util.UserException;

/**
 * A 10x Genomics matrix directory: {@code matrix.mtx}, {@code barcodes.tsv} and {@code genes.tsv} (Cell Ranger 2) or
 * {@code features.tsv} (Cell Ranger 3+), each gzip-compressed or not. Matrix Market is genes × cells in
 * coordinate order, so the whole file is read once and regrouped by cell.
 */
public final class TenxMtxReader implements CellMatrixReader {
    private final Path dir;
    private final ObsTable obs;
    private final TenxFeatures features;
    private final int nCells;
    private final int[] indptr;
    private final int[] indices;
    private final double[] values;

    private TenxMtxReader(Path dir) throws IOException {
        this.dir = dir;
        Path matrix = pick(dir, "matrix.mtx");
        Path barcodes = pick(dir, "barcodes.tsv");
        Path featureFile = find(dir, "features.tsv");
        if (featureFile == null) {
            featureFile = pick(dir, "genes.tsv");
        }
        this.obs = TenxFeatures.barcodes(readColumn(barcodes, 0).toArray(new String[0]));
        List<String[]> rows = readRows(featureFile);
        String[] ids = new String[rows.size()], names = new String[rows.size()], types = null;
        boolean hasTypes = !rows.isEmpty() && rows.get(0).length >= 3;
        if (hasTypes) types = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            String[] r = rows.get(i);
            ids[i] = r[0];
            names[i] = r.length > 1 ? r[1] : r[0];
            if (hasTypes) {
                if (r.length < 3) { // found by fuzzing: a damaged line threw ArrayIndexOutOfBounds
                    throw new UserException(featureFile + ": line " + (i + 1) + " has " + r.length
                            + " column(s) where the first line has a feature type (3)");
                }
                types[i] = r[2];
            }
        }
        this.features = new TenxFeatures(ids, names, types);
        this.nCells = obs.size();

        try (BufferedReader r = TextFiles.open(matrix)) {
            String header = r.readLine();
            if (header == null || !header.startsWith("%%MatrixMarket matrix coordinate")) {
                throw new UserException(matrix + ": not a Matrix Market coordinate file");
            }
            boolean pattern = header.contains("pattern");
            String line;
            while ((line = r.readLine()) != null && line.startsWith("%")) {
                // comments
            }
            if (line == null) {
                throw new UserException(matrix + ": truncated (no size line)");
            }
            String[] size = line.trim().split("\\s+");
            int nRows, nCols;
            long nnzL;
            try {
                nRows = Integer.parseInt(size[0]);
                nCols = Integer.parseInt(size[1]);
                nnzL = Long.parseLong(size[2]);
            } catch (RuntimeException e) { // found by fuzzing: a damaged size line threw NumberFormatException
                throw new UserException(matrix + ": malformed size line '" + line + "' (expected: genes cells entries)");
            }
            if (nRows != ids.length || nCols != nCells) {
                throw new UserException(matrix + ": matrix is " + nRows + " × " + nCols + " but there are "
                        + ids.length + " features and " + nCells + " barcodes");
            }
            if (nnzL < 0 || nnzL > (long) nRows * nCols || nnzL > Integer.MAX_VALUE - 8) {
                throw new UserException(matrix + ": " + nnzL + " entries declared for a " + nRows + " × " + nCols + " matrix");
            }
            int nnz = (int) nnzL;
            // grown as entries arrive, not sized by the declared count: a damaged size line must not reserve gigabytes
            int cap = Math.min(nnz, 1 << 16);
            int[] gene = new int[cap], cell = new int[cap];
            double[] val = new double[cap];
            int k = 0;
            while ((line = r.readLine()) != null) {
                if (line.isEmpty()) continue;
                if (k == nnz) throw new UserException(matrix + ": more entries than the " + nnz + " declared");
                if (k == gene.length) {
                    int grown = (int) Math.min(nnz, 2L * gene.length);
                    gene = Arrays.copyOf(gene, grown);
                    cell = Arrays.copyOf(cell, grown);
                    val = Arrays.copyOf(val, grown);
                }
                int a = line.indexOf(' ');
                int b = line.indexOf(' ', a + 1);
                try {
                    if (a < 0) throw new NumberFormatException("one field");
                    gene[k] = Integer.parseInt(line, 0, a, 10) - 1;
                    cell[k] = Integer.parseInt(line, a + 1, b < 0 ? line.length() : b, 10) - 1;
                    val[k] = pattern ? 1 : Double.parseDouble(line.substring(b + 1).trim());
                } catch (RuntimeException e) {
                    throw new UserException(matrix + ": malformed entry '" + line + "'");
                }
                if (gene[k] < 0 || gene[k] >= nRows || cell[k] < 0 || cell[k] >= nCols) {
                    throw new UserException(matrix + ": entry out of range: '" + line + "'");
                }
                k++;
            }
            if (k != nnz) {
                throw new UserException(matrix + ": truncated: " + k + " of " + nnz + " entries");
            }
            int[] count = new int[nCells + 1];
            for (int i = 0; i < nnz; i++) if (features.columnMap[gene[i]] >= 0) count[cell[i] + 1]++;
            for (int i = 0; i < nCells; i++) count[i + 1] += count[i];
            indptr = count.clone();
            int[] fill = Arrays.copyOf(count, nCells);
            indices = new int[count[nCells]];
            values = new double[count[nCells]];
            for (int i = 0; i < nnz; i++) {
                int c = features.columnMap[gene[i]];
                if (c < 0) continue;
                int at = fill[cell[i]]++;
                indices[at] = c;
                values[at] = val[i];
            }
        }
    }

    public static TenxMtxReader open(Path dir) {
        try {
            return new TenxMtxReader(dir);
        } catch (IOException e) {
            throw new UserException(dir + ": cannot read 10x matrix directory: " + e.getMessage(), e);
        }
    }

    static boolean looksLike(Path dir) {
        return Files.isDirectory(dir) && find(dir, "matrix.mtx") != null;
    }

    private static Path find(Path dir, String stem) {
        for (String name : new String[] {stem, stem + ".gz"}) {
            Path p = dir.resolve(name);
            if (Files.isRegularFile(p)) return p;
        }
        return null;
    }

    private static Path pick(Path dir, String stem) {
        Path p = find(dir, stem);
        if (p == null) {
            throw new UserException(dir + ": no " + stem + "[.gz] (expected a 10x matrix directory)");
        }
        return p;
    }

    private static List<String[]> readRows(Path p) throws IOException {
        List<String[]> out = new ArrayList<>();
        try (BufferedReader r = TextFiles.open(p)) {
            String line;
            while ((line = r.readLine()) != null) {
                if (!line.isEmpty()) out.add(line.split("\t"));
            }
        }
        return out;
    }

    private static List<String> readColumn(Path p, int col) throws IOException {
        List<String> out = new ArrayList<>();
        for (String[] r : readRows(p)) out.add(r[col]);
        return out;
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public int nCells() {
        return nCells;
    }

    @Override
    public int nGenes() {
        return features.var.size();
    }

    @Override
    public ObsTable var() {
        return features.var;
    }

    @Override
    public ObsTable obs() {
        return obs;
    }

    @Override
    public CsrBlock readRows(int start, int end) {
        int from = indptr[start];
        int[] ptr = new int[end - start + 1];
        for (int i = 0; i <= end - start; i++) ptr[i] = indptr[start + i] - from;
        return new CsrBlock(start, end - start, ptr, Arrays.copyOfRange(indices, from, indptr[end]),
                Arrays.copyOfRange(values, from, indptr[end]));
    }

    @Override
    public void close() {
    }
}
