package org.geneformer4j.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import org.geneformer4j.io.CellMatrixReader;
import org.geneformer4j.io.CsrBlock;
import org.geneformer4j.io.ObsTable;

/** A reader whose {@code close()} leaves the underlying reader open: for inputs the caller owns. */
final class ForwardingReader implements CellMatrixReader {
    private final CellMatrixReader in;

    ForwardingReader(CellMatrixReader in) {
        this.in = in;
    }

    @Override
    public Path path() {
        return in.path();
    }

    @Override
    public int nCells() {
        return in.nCells();
    }

    @Override
    public int nGenes() {
        return in.nGenes();
    }

    @Override
    public ObsTable var() {
        return in.var();
    }

    @Override
    public ObsTable obs() {
        return in.obs();
    }

    @Override
    public CsrBlock readRows(int start, int end) throws IOException {
        return in.readRows(start, end);
    }

    @Override
    public String defaultGeneColumn() {
        return in.defaultGeneColumn();
    }

    @Override
    public boolean float32Values() {
        return in.float32Values();
    }

    @Override
    public boolean denseInUpstream() {
        return in.denseInUpstream();
    }

    @Override
    public void close() {
    }
}
