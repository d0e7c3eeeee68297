package org.geneformer4j.perturb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.util.UserException;

/**
 * The cells a run perturbs, chosen as upstream's {@code apply_additional_filters}: the filters (start state
 * included), cells holding every listed gene (not for overexpression) and the anchor gene, then {@code downsample_and_sort}: a seeded
 * sample of {@code maxCells} if there are more, sorted longest first, then the {@code cellStart:cellEnd} slice.
 */
final class CellSource {
    record Cell(int row, String id, int[] tokens) {}

    /** The cells of the {@code cellStart:cellEnd} slice; {@code offset} is where it starts in the whole selection. */
    record Selection(List<Cell> cells, int offset) {}

    private CellSource() {}

    static Selection load(DatasetReader r, PerturbSettings s) {
        TokenColumns cols = TokenColumns.of(r, List.of());
        int[] filterCols = new int[s.filters().size()];
        List<List<String>> allowed = new ArrayList<>();
        int f = 0;
        for (Map.Entry<String, List<String>> e : s.filters().entrySet()) {
            filterCols[f] = r.columnIndex(e.getKey());
            if (filterCols[f++] < 0) {
                throw new UserException("filter column '" + e.getKey() + "' is not in the dataset (columns: " + cols.names() + ")");
            }
            allowed.add(e.getValue());
        }
        List<Cell> cells = new ArrayList<>();
        int row = 0;
        while (r.hasNext()) {
            RowBatch b = r.next();
            for (int i = 0; i < b.rows(); i++, row++) {
                boolean keep = true;
                for (int k = 0; k < filterCols.length && keep; k++) {
                    keep = allowed.get(k).contains(TokenColumns.string(b, filterCols[k], i));
                }
                int[] t = cols.tokens(b, i);
                if (keep && s.genes().length > 0 && s.type() != PerturbType.OVEREXPRESS) {
                    for (int g : s.genes()) {
                        keep &= contains(t, g);
                    }
                }
                if (keep && s.anchor() >= 0) {
                    keep = contains(t, s.anchor());
                }
                if (keep) {
                    cells.add(new Cell(row, cols.id(b, i, row), t));
                }
            }
        }
        if (s.maxCells() > 0 && cells.size() > s.maxCells()) {
            java.util.Collections.shuffle(cells, new Random(s.seed()));
            cells = new ArrayList<>(cells.subList(0, s.maxCells()));
        }
        cells.sort(Comparator.comparingInt((Cell c) -> c.tokens().length).reversed().thenComparingInt(Cell::row));
        int end = s.cellEnd() < 0 ? cells.size() : Math.min(cells.size(), s.cellEnd());
        int start = Math.min(Math.max(0, s.cellStart()), end);
        return new Selection(new ArrayList<>(cells.subList(start, end)), start);
    }

    static boolean contains(int[] tokens, int g) {
        for (int t : tokens) {
            if (t == g) {
                return true;
            }
        }
        return false;
    }
}
