package org.geneformer4j.dataset;

import java.util.List;

/** Cells held in a list, as token rows (tests that need a corpus without a file). */
public record MemoryRows(List<int[]> cells) implements TokenRows {
    public int size() {
        return cells.size();
    }

    public int length(int row) {
        return cells.get(row).length;
    }

    public int[] tokens(int row) {
        return cells.get(row).clone();
    }

    public String where(int row) {
        return "cell " + row;
    }

    public void close() {}
}
