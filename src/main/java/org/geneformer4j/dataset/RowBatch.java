package org.geneformer4j.dataset;

/**
 * Rows to append to a dataset, column-major: one Java array per schema column, in schema order. List columns are
 * {@code int[][]} (or {@code long[][]}), scalars {@code long[]}, {@code int[]}, {@code double[]}, {@code float[]},
 * {@code boolean[]} or {@code String[]}; a null string is written as null (NaN stays NaN, as pandas writes it).
 */
public record RowBatch(int rows, Object[] columns) {
}
