package org.geneformer4j.dataset;

import java.util.Arrays;
import java.util.List;

/** Several datasets' rows as one, in the order given; unlike {@link ConcatReader} their other columns may differ. */
final class ConcatTokens implements TokenRows {
    private final List<TokenRows> parts;
    private final int[] firstRow;

    ConcatTokens(List<TokenRows> parts) {
        this.parts = List.copyOf(parts);
        this.firstRow = new int[parts.size() + 1];
        for (int p = 0; p < parts.size(); p++) {
            firstRow[p + 1] = Math.addExact(firstRow[p], parts.get(p).size());
        }
    }

    private int part(int row) {
        if (row < 0 || row >= size()) {
            throw new IndexOutOfBoundsException("row " + row + " of " + size());
        }
        int p = Arrays.binarySearch(firstRow, row);
        p = p >= 0 ? p : -p - 2;
        while (firstRow[p + 1] == row) {
            p++; // empty parts share a first row with the next one
        }
        return p;
    }

    @Override
    public int size() {
        return firstRow[parts.size()];
    }

    @Override
    public int length(int row) {
        int p = part(row);
        return parts.get(p).length(row - firstRow[p]);
    }

    @Override
    public int[] tokens(int row) {
        int p = part(row);
        return parts.get(p).tokens(row - firstRow[p]);
    }

    @Override
    public String where(int row) {
        int p = part(row);
        return parts.get(p).where(row - firstRow[p]);
    }

    @Override
    public void close() {
        parts.forEach(TokenRows::close); // read-only files: closing does not fail
    }
}
