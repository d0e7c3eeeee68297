package org.geneformer4j.counts;

import io.jhdf.api.Dataset;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Rows of a compressed-sparse matrix whose rows are contiguous on disk (h5ad CSR; 10x CSC, whose columns are
 * cells), read by slicing only the block's range of {@code data} and {@code indices}.
 */
final class SlicedCsr {
    private final Path file;
    private final ChunkedArray data;
    private final ChunkedArray indices;
    private final long[] indptr;
    private final int[] columnMap;

    /**
     * @param columnMap new column of each on-disk column, or -1 to drop it (10x non-expression features);
     *                  null keeps all columns as they are
     */
    SlicedCsr(Path file, Dataset data, Dataset indices, long[] indptr, int[] columnMap) {
        this.file = file;
        this.data = new ChunkedArray(data, file);
        this.indices = new ChunkedArray(indices, file);
        this.indptr = indptr;
        this.columnMap = columnMap;
    }

    CsrBlock read(int start, int end) {
        long from = indptr[start];
        int nnz = Math.toIntExact(indptr[end] - from);
        int[] ptr = new int[end - start + 1];
        for (int i = 0; i <= end - start; i++) ptr[i] = (int) (indptr[start + i] - from);
        if (nnz == 0) {
            return new CsrBlock(start, end - start, ptr, new int[0], new double[0]);
        }
        int[] idx = Hdf5.toInts(indices.slice(from, nnz));
        double[] val = Hdf5.toDoubles(data.slice(from, nnz));
        if (columnMap == null) {
            return new CsrBlock(start, end - start, ptr, idx, val);
        }
        int[] newPtr = new int[ptr.length];
        int w = 0;
        for (int r = 0; r < end - start; r++) {
            for (int k = ptr[r]; k < ptr[r + 1]; k++) {
                int c = columnMap[idx[k]];
                if (c >= 0) {
                    idx[w] = c;
                    val[w++] = val[k];
                }
            }
            newPtr[r + 1] = w;
        }
        return new CsrBlock(start, end - start, newPtr, Arrays.copyOf(idx, w), Arrays.copyOf(val, w));
    }
}
