package org.geneformer4j.engine;

import java.util.List;

/**
 * What a {@link CellQuery} found: the kept cells in row order, how many rows the dataset has, and (when asked for)
 * the SHA-256 of every row's token count and tokens, which identifies the dataset a resumable run started on.
 */
public record Selection(List<SelectedCell> cells, long rows, String tokensSha256) {
    /** Which rows were kept, for stages that stream the dataset again rather than hold the cells. */
    public boolean[] rowMask() {
        boolean[] keep = new boolean[Math.toIntExact(rows)];
        cells.forEach(c -> keep[c.row()] = true);
        return keep;
    }
}
