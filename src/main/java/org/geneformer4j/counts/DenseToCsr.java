package org.geneformer4j.counts;

import java.lang.reflect.Array;
import java.util.Arrays;

/** Turns a dense 2-D slab (as jhdf returns it: an array of row arrays) into CSR, keeping only non-zeros. */
final class DenseToCsr {
    private DenseToCsr() {
    }

    /**
     * @param slab       a Java 2-D array
     * @param transposed true when the slab is genes × cells (loom) and must be read column-wise
     */
    static CsrBlock rows(int firstRow, Object slab, boolean transposed) {
        int outer = Array.getLength(slab);
        int inner = outer == 0 ? 0 : Array.getLength(Array.get(slab, 0));
        double[][] m = new double[outer][];
        for (int i = 0; i < outer; i++) m[i] = Hdf5.toDoubles(Array.get(slab, i));
        int nRows = transposed ? inner : outer;
        int nCols = transposed ? outer : inner;
        int[] ptr = new int[nRows + 1];
        int[] idx = new int[16];
        double[] val = new double[16];
        int nnz = 0;
        for (int r = 0; r < nRows; r++) {
            for (int c = 0; c < nCols; c++) {
                double v = transposed ? m[c][r] : m[r][c];
                if (v != 0 || Double.isNaN(v)) {
                    if (nnz == idx.length) {
                        idx = Arrays.copyOf(idx, nnz * 2);
                        val = Arrays.copyOf(val, nnz * 2);
                    }
                    idx[nnz] = c;
                    val[nnz++] = v;
                }
            }
            ptr[r + 1] = nnz;
        }
        return new CsrBlock(firstRow, nRows, ptr, Arrays.copyOf(idx, nnz), Arrays.copyOf(val, nnz));
    }
}
