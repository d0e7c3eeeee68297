package org.geneformer4j.tokenize;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.counts.CellMatrixReader;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.counts.ObsColumn;
import org.geneformer4j.counts.ObsTable;

/** The goldens' {@code counts.csv} (cells × genes, header = gene IDs) and {@code obs.tsv} as a reader. */
final class CsvCountsReader implements CellMatrixReader {
    private final Path path;
    private final ObsTable obs;
    private final ObsTable var;
    private final double[][] counts;

    CsvCountsReader(Path counts, Path obsTsv) throws IOException {
        this.path = counts;
        List<String> lines = Files.readAllLines(counts);
        String[] header = lines.get(0).split(",", -1);
        String[] genes = java.util.Arrays.copyOfRange(header, 1, header.length);
        this.counts = new double[lines.size() - 1][];
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",", -1);
            double[] row = new double[genes.length];
            for (int j = 0; j < genes.length; j++) row[j] = Double.parseDouble(f[j + 1]);
            this.counts[i - 1] = row;
        }
        this.var = new ObsTable(genes, List.of(ObsColumn.strings("ensembl_id", genes)));
        List<String> o = Files.readAllLines(obsTsv);
        String[] cols = o.get(0).split("\t", -1);
        int n = o.size() - 1;
        String[] index = new String[n];
        String[][] values = new String[cols.length][n];
        for (int i = 0; i < n; i++) {
            String[] f = o.get(i + 1).split("\t", -1);
            index[i] = f[0];
            for (int c = 1; c < cols.length; c++) values[c][i] = f[c];
        }
        List<ObsColumn> obsCols = new ArrayList<>();
        for (int c = 1; c < cols.length; c++) {
            if (cols[c].equals("n_counts") || cols[c].equals("filter_pass")) {
                double[] d = new double[n];
                for (int i = 0; i < n; i++) d[i] = Double.parseDouble(values[c][i]);
                obsCols.add(ObsColumn.doubles(cols[c], d));
            } else {
                obsCols.add(ObsColumn.strings(cols[c], values[c]));
            }
        }
        this.obs = new ObsTable(index, obsCols);
    }

    @Override
    public Path path() {
        return path;
    }

    @Override
    public int nCells() {
        return counts.length;
    }

    @Override
    public int nGenes() {
        return var.size();
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
    public CsrBlock readRows(int start, int end) {
        List<Integer> idx = new ArrayList<>();
        List<Double> val = new ArrayList<>();
        int[] ptr = new int[end - start + 1];
        for (int r = start; r < end; r++) {
            for (int j = 0; j < counts[r].length; j++) {
                if (counts[r][j] != 0) {
                    idx.add(j);
                    val.add(counts[r][j]);
                }
            }
            ptr[r - start + 1] = idx.size();
        }
        return new CsrBlock(start, end - start, ptr, idx.stream().mapToInt(Integer::intValue).toArray(),
                val.stream().mapToDouble(Double::doubleValue).toArray());
    }

    @Override
    public void close() {
    }
}
