package org.geneformer4j.perturb;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.embed.TokenCheck;
import org.geneformer4j.util.UserException;

/**
 * The cells a run perturbs, chosen as upstream's {@code apply_additional_filters}: the filters (start state
 * included), cells holding every listed gene (not for overexpression) and the anchor gene, then {@code downsample_and_sort}: a seeded
 * sample of {@code maxCells} if there are more, sorted longest first, then the {@code cellStart:cellEnd} slice.
 */
final class CellSource {
    record Cell(int row, String id, int[] tokens) {}

    /**
     * The cells of the {@code cellStart:cellEnd} slice; {@code offset} is where it starts in the whole selection.
     * {@code rows} and {@code tokensSha256} identify the whole dataset (see {@link RunInfo.Input}).
     */
    record Selection(List<Cell> cells, int offset, long rows, String tokensSha256) {}

    private CellSource() {}

    /** @param fit checks every cell against the model, as embed does, before anything is written */
    static Selection load(DatasetReader r, PerturbSettings s, TokenCheck fit) {
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
        MessageDigest digest = sha256();
        ByteBuffer buf = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        int row = 0;
        while (r.hasNext()) {
            RowBatch b = r.next();
            for (int i = 0; i < b.rows(); i++, row++) {
                int[] t = cols.tokens(b, i);
                fit.check(cols.id(b, i, row), t);
                fingerprint(digest, buf, t);
                boolean keep = true;
                for (int k = 0; k < filterCols.length && keep; k++) {
                    keep = allowed.get(k).contains(TokenColumns.string(b, filterCols[k], i));
                }
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
        fit.finish();
        if (s.maxCells() > 0 && cells.size() > s.maxCells()) {
            java.util.Collections.shuffle(cells, new Random(s.seed()));
            cells = new ArrayList<>(cells.subList(0, s.maxCells()));
        }
        cells.sort(Comparator.comparingInt((Cell c) -> c.tokens().length).reversed().thenComparingInt(Cell::row));
        int end = s.cellEnd() < 0 ? cells.size() : Math.min(cells.size(), s.cellEnd());
        int start = Math.min(Math.max(0, s.cellStart()), end);
        return new Selection(new ArrayList<>(cells.subList(start, end)), start, row, HexFormat.of().formatHex(digest.digest()));
    }

    /** Adds a cell's token count and tokens (little-endian int32) to the dataset's fingerprint. */
    private static void fingerprint(MessageDigest digest, ByteBuffer buf, int[] t) {
        buf.clear();
        buf.putInt(t.length);
        for (int v : t) {
            if (!buf.hasRemaining()) {
                digest.update(buf.array(), 0, buf.position());
                buf.clear();
            }
            buf.putInt(v);
        }
        digest.update(buf.array(), 0, buf.position());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
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
