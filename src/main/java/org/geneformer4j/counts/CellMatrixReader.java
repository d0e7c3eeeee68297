package org.geneformer4j.counts;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * A cells × genes count matrix read in row blocks, whatever the file format. Every reader presents cells as rows
 * and genes as columns, so the tokenizer never knows whether the file was CSR, CSC, dense or genes × cells.
 */
public interface CellMatrixReader extends Closeable {
    Path path();

    int nCells();

    int nGenes();

    /** Per-gene columns (var / loom row attributes / 10x features), the gene id column among them. */
    ObsTable var();

    ObsTable obs();

    /** Rows {@code [start, end)} as CSR. Memory is proportional to the block, not the file. */
    CsrBlock readRows(int start, int end) throws IOException;

    /**
     * Whether the matrix is stored as float32, as anndata and loompy usually write counts; upstream's arithmetic
     * then runs partly in float32 (see {@code tokenize.Normalization}).
     */
    default boolean float32Values() {
        return false;
    }

    /** Whether upstream reads this format as a dense numpy matrix (loom) rather than scipy sparse (h5ad). */
    default boolean denseInUpstream() {
        return false;
    }

    /** Name of the var column that holds gene IDs when the user names none ({@code ensembl_id} where present). */
    default String defaultGeneColumn() {
        return GeneColumns.ENSEMBL_ID;
    }

    /**
     * The gene IDs of the given var column, or of the default column; falls back to the var index when the default
     * is absent, reporting the choice through {@code notes}.
     */
    default List<String> geneIds(String column, List<String> notes) {
        return GeneColumns.resolve(this, column, notes);
    }

    /** Which gene IDs {@link #geneIds} reads, for messages: {@code var column 'NAME'} or {@code the var index}. */
    default String geneIdSource(String column) {
        return GeneColumns.describe(this, column);
    }

    @Override
    void close() throws IOException;
}
