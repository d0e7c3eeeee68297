package org.geneformer4j.dataset;

import java.util.List;
import org.geneformer4j.util.UserException;

/** Access to a tokenized dataset's token, id and label columns, whatever their stored types. */
public record TokenColumns(int ids, int cellId, int[] labels, List<Column> all) {
    public static TokenColumns of(DatasetReader r, List<String> labelNames) {
        int ids = r.columnIndex("input_ids");
        if (ids < 0) {
            throw new UserException("the dataset has no input_ids column: is it a tokenized dataset?");
        }
        int[] labels = new int[labelNames.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = r.columnIndex(labelNames.get(i));
            if (labels[i] < 0) {
                throw new UserException("--emb-label column '" + labelNames.get(i) + "' is not in the dataset (columns: "
                        + r.columns().stream().map(Column::name).toList() + ")");
            }
        }
        return new TokenColumns(ids, r.columnIndex("cell_id"), labels, r.columns());
    }

    public List<String> names() {
        return all.stream().map(Column::name).toList();
    }

    public int[] tokens(RowBatch b, int i) {
        Object col = b.columns()[ids];
        if (col instanceof int[][] a) {
            return a[i];
        }
        long[] l = ((long[][]) col)[i];
        int[] out = new int[l.length];
        for (int j = 0; j < l.length; j++) {
            out[j] = Math.toIntExact(l[j]);
        }
        return out;
    }

    public String id(RowBatch b, int i, int row) {
        return cellId < 0 ? Integer.toString(row) : string(b, cellId, i);
    }

    public String[] labels(RowBatch b, int i) {
        String[] out = new String[labels.length];
        for (int k = 0; k < labels.length; k++) {
            out[k] = string(b, labels[k], i);
        }
        return out;
    }

    public static String string(RowBatch b, int col, int i) {
        Object c = b.columns()[col];
        if (c instanceof String[] a) {
            return a[i];
        } else if (c instanceof long[] a) {
            return Long.toString(a[i]);
        } else if (c instanceof int[] a) {
            return Integer.toString(a[i]);
        } else if (c instanceof double[] a) {
            return Double.toString(a[i]);
        } else if (c instanceof float[] a) {
            return Float.toString(a[i]);
        } else if (c instanceof boolean[] a) {
            return Boolean.toString(a[i]);
        }
        throw new UserException("column " + col + " cannot be used as a label");
    }
}

