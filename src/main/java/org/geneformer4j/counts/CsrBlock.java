package org.geneformer4j.counts;

/**
 * A block of consecutive cells as compressed sparse rows over the input's gene columns. {@code indptr} is relative
 * to the block (indptr[0] == 0); column indices within a row need not be sorted. Values are held as double so
 * that every on-disk dtype (int, float32, float64) arrives unchanged.
 */
public record CsrBlock(int firstRow, int rows, int[] indptr, int[] indices, double[] values) {
    public int nnz() {
        return indptr[rows];
    }

    /** Sum of each row's values: the fallback for {@code n_counts} when the input has no such column. */
    public double rowSum(int row) {
        double s = 0;
        for (int k = indptr[row]; k < indptr[row + 1]; k++) {
            s += values[k];
        }
        return s;
    }
}
