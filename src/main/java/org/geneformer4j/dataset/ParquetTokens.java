package org.geneformer4j.dataset;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * The {@code input_ids} of one parquet file by row. Parquet has no random access below a row group's column chunk
 * (its pages are compressed and their rows are found only by decoding the levels), so a read decodes the row's whole
 * {@code input_ids} chunk and keeps the last few decoded (at most {@link #CACHE_TOKENS} tokens, and always the
 * last one): reads in row order, or from a few groups, decode each group once. Lengths come from the {@code length}
 * column when there is one (a small chunk), else from decoding {@code input_ids} once. Files written with small row
 * groups (Genecorpus shards, Hugging Face's parquet conversions) suit random access; for one with huge row groups
 * the cache holds one whole group.
 */
final class ParquetTokens implements TokenRows {
    /** Decoded tokens the cache may hold beside the group just read: 64 MB as int32. */
    static final long CACHE_TOKENS = 16L << 20;

    private final ParquetTable table;
    private final int ids;
    private final int[] lengths;
    private final int[] firstRow;
    private final LinkedHashMap<Integer, int[][]> cache = new LinkedHashMap<>(16, 0.75f, true);
    private long cachedTokens;

    private ParquetTokens(ParquetTable table) {
        this.table = table;
        this.ids = column(table, "input_ids");
        int lengthColumn = column(table, "length");
        if (ids < 0) {
            throw new UserException("the dataset has no input_ids column: is it a tokenized dataset? (" + table.path() + ")");
        }
        if (!table.columns().get(ids).type().isList()) {
            throw new UserException(table.path() + ": input_ids is not a list of integers");
        }
        int groups = table.rowGroups();
        firstRow = new int[groups + 1];
        for (int g = 0; g < groups; g++) {
            firstRow[g + 1] = Math.addExact(firstRow[g], table.rowGroupRows(g));
        }
        lengths = new int[firstRow[groups]];
        boolean fromColumn = lengthColumn >= 0 && !table.columns().get(lengthColumn).type().isList()
                && table.columns().get(lengthColumn).type() != ColumnType.STRING;
        for (int g = 0; g < groups; g++) {
            Object c = fromColumn ? table.column(g, lengthColumn) : null;
            for (int i = 0; i < firstRow[g + 1] - firstRow[g]; i++) {
                long n = c instanceof long[] l ? l[i] : c instanceof int[] a ? a[i] : 0;
                if (n < 0 || n > Integer.MAX_VALUE) {
                    throw new UserException(where(firstRow[g] + i) + ": length " + n);
                }
                lengths[firstRow[g] + i] = (int) n;
            }
            if (!fromColumn) {
                int[][] rows = group(g);
                for (int i = 0; i < rows.length; i++) {
                    lengths[firstRow[g] + i] = rows[i].length;
                }
            }
        }
    }

    static ParquetTokens open(Path path) {
        ParquetTable t = ParquetTable.open(path);
        try {
            return new ParquetTokens(t);
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    private static int column(ParquetTable t, String name) {
        for (int c = 0; c < t.columns().size(); c++) {
            if (t.columns().get(c).name().equals(name)) {
                return c;
            }
        }
        return -1;
    }

    @Override
    public int size() {
        return lengths.length;
    }

    @Override
    public int length(int row) {
        return lengths[row];
    }

    @Override
    public int[] tokens(int row) {
        int g = Arrays.binarySearch(firstRow, row);
        g = g >= 0 ? g : -g - 2;
        while (firstRow[g + 1] == row) {
            g++; // empty row groups share a first row with the next one
        }
        int[] t = group(g)[row - firstRow[g]];
        if (t.length != lengths[row]) {
            throw new UserException(where(row) + ": its length column says " + lengths[row] + " but input_ids holds " + t.length + " tokens");
        }
        return t.clone();
    }

    private synchronized int[][] group(int g) {
        int[][] rows = cache.get(g);
        if (rows != null) {
            return rows;
        }
        rows = (int[][]) table.column(g, ids);
        long n = 0;
        for (int[] r : rows) {
            n += r.length;
        }
        cache.put(g, rows);
        cachedTokens += n;
        for (Iterator<Map.Entry<Integer, int[][]>> it = cache.entrySet().iterator(); cachedTokens - n > CACHE_TOKENS && it.hasNext(); ) {
            Map.Entry<Integer, int[][]> e = it.next();
            if (e.getKey() != g) {
                for (int[] r : e.getValue()) {
                    cachedTokens -= r.length;
                }
                it.remove();
            }
        }
        return rows;
    }

    @Override
    public String where(int row) {
        return table.path() + " row " + row;
    }

    @Override
    public void close() {
        table.close();
    }
}
