package org.geneformer4j.engine;

/**
 * A cell a {@link CellQuery} kept: its row in the dataset, id, tokens (null when the query reads rows only) and the
 * values of the columns the query carries, in the order they were asked for.
 */
public record SelectedCell(int row, String id, int[] tokens, String[] values) {
    public int length() {
        return tokens.length;
    }

    public String value(int column) {
        return values[column];
    }
}
