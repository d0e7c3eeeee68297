package org.geneformer4j.pretrain;

import org.geneformer4j.dataset.TokenRows;

/** Cells of a pretraining run, in the run's order: rows of a corpus whose tokens are read when a batch needs them. */
public final class Cells {
    private final TokenRows rows;
    private final int[] index;

    /** @param index the corpus row of each cell */
    public Cells(TokenRows rows, int[] index) {
        this.rows = rows;
        this.index = index;
    }

    public int size() {
        return index.length;
    }

    public int length(int cell) {
        return rows.length(index[cell]);
    }

    public int[] tokens(int cell) {
        return rows.tokens(index[cell]);
    }
}
