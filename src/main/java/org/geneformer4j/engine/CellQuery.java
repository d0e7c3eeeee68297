package org.geneformer4j.engine;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.util.UserException;

/**
 * Which cells of a tokenized dataset a stage works on, found in one pass: the {@code --filter} values (upstream's
 * {@code filter_data}), a rule on the tokens (perturb's "holds every listed gene"), the {@link TokenCheck} of every
 * row against the model, and one seeded {@code --max-ncells} {@link Sample}. Every stage selects through it, so a
 * filter, a sample or a wrong-version error means the same in embed, perturb, finetune and predict.
 *
 * <p>Immutable: each {@code with} method returns a new query.
 */
public final class CellQuery {
    private final Map<String, Set<String>> filters;
    private final List<String[]> carried; // {option, column}
    private final Predicate<int[]> rule;
    private final String ruleText;
    private final int maxCells;
    private final long seed;
    private final boolean keepTokens;
    private final boolean fingerprint;

    private CellQuery(Map<String, Set<String>> filters, List<String[]> carried, Predicate<int[]> rule, String ruleText,
            int maxCells, long seed, boolean keepTokens, boolean fingerprint) {
        this.filters = filters;
        this.carried = carried;
        this.rule = rule;
        this.ruleText = ruleText;
        this.maxCells = maxCells;
        this.seed = seed;
        this.keepTokens = keepTokens;
        this.fingerprint = fingerprint;
    }

    /** Every cell, tokens kept. */
    public static CellQuery all() {
        return new CellQuery(Map.of(), List.of(), null, null, 0, 0, true, false);
    }

    /** Keep cells whose column holds one of the values, for every column given. */
    public CellQuery filter(Map<String, Set<String>> f) {
        return new CellQuery(new LinkedHashMap<>(f), carried, rule, ruleText, maxCells, seed, keepTokens, fingerprint);
    }

    /**
     * Carry these columns' values with each cell ({@link SelectedCell#values()}, in this order after any carried
     * before); {@code option} names them in the error for a missing column.
     */
    public CellQuery carry(String option, List<String> columns) {
        List<String[]> c = new ArrayList<>(carried);
        columns.forEach(col -> c.add(new String[] {option, col}));
        return new CellQuery(filters, c, rule, ruleText, maxCells, seed, keepTokens, fingerprint);
    }

    /** Keep only cells whose tokens pass {@code test}; {@code why} completes the error when no cell does. */
    public CellQuery where(Predicate<int[]> test, String why) {
        return new CellQuery(filters, carried, test, why, maxCells, seed, keepTokens, fingerprint);
    }

    /** At most {@code max} of the cells that pass (0: all), chosen by {@link Sample} with {@code seed}. */
    public CellQuery sample(int max, long s) {
        return new CellQuery(filters, carried, rule, ruleText, max, s, keepTokens, fingerprint);
    }

    /** Rows, ids and values only: for stages that stream the tokens again instead of holding every cell. */
    public CellQuery withoutTokens() {
        return new CellQuery(filters, carried, rule, ruleText, maxCells, seed, false, fingerprint);
    }

    /** Also hash every row's tokens ({@link Selection#tokensSha256()}). */
    public CellQuery fingerprinted() {
        return new CellQuery(filters, carried, rule, ruleText, maxCells, seed, keepTokens, true);
    }

    public Map<String, Set<String>> filters() {
        return filters;
    }

    /**
     * One pass over {@code r}: every row is checked by {@code fit} (filtered out or not, so data of the wrong model
     * version fail the same way in every stage); the kept cells come back in row order. No cell kept is an error.
     */
    public Selection select(DatasetReader r, TokenCheck fit) {
        TokenColumns cols = TokenColumns.of(r, List.of());
        int[] filterCols = new int[filters.size()];
        List<Set<String>> allowed = new ArrayList<>();
        int f = 0;
        for (Map.Entry<String, Set<String>> e : filters.entrySet()) {
            filterCols[f++] = column(r, cols, "--filter", e.getKey());
            allowed.add(e.getValue());
        }
        int[] carriedCols = new int[carried.size()];
        for (int k = 0; k < carriedCols.length; k++) {
            carriedCols[k] = column(r, cols, carried.get(k)[0], carried.get(k)[1]);
        }
        MessageDigest digest = fingerprint ? sha256() : null;
        ByteBuffer buf = ByteBuffer.allocate(4 * 8192).order(ByteOrder.LITTLE_ENDIAN);
        List<SelectedCell> kept = new ArrayList<>();
        int row = 0;
        while (r.hasNext()) {
            RowBatch b = r.next();
            for (int i = 0; i < b.rows(); i++, row++) {
                int[] t = cols.tokens(b, i);
                String id = cols.id(b, i, row);
                fit.check(id, t);
                if (digest != null) {
                    hash(digest, buf, t);
                }
                boolean keep = true;
                for (int k = 0; k < filterCols.length && keep; k++) {
                    keep = allowed.get(k).contains(TokenColumns.string(b, filterCols[k], i));
                }
                if (keep && rule != null) {
                    keep = rule.test(t);
                }
                if (keep) {
                    String[] values = new String[carriedCols.length];
                    for (int k = 0; k < values.length; k++) {
                        values[k] = TokenColumns.string(b, carriedCols[k], i);
                    }
                    kept.add(new SelectedCell(row, id, keepTokens ? t : null, values));
                }
            }
        }
        fit.finish();
        if (kept.isEmpty()) {
            throw new UserException(filters.isEmpty() && rule == null ? "the dataset has no cells"
                    : "no cell passes" + (filters.isEmpty() ? "" : " --filter " + filters) + (rule == null ? "" : " (" + ruleText + ")"));
        }
        List<SelectedCell> sampled = Sample.of(kept, maxCells, seed);
        if (sampled != kept) {
            sampled.sort(java.util.Comparator.comparingInt(SelectedCell::row));
        }
        return new Selection(sampled, row, digest == null ? null : HexFormat.of().formatHex(digest.digest()));
    }

    private static int column(DatasetReader r, TokenColumns cols, String option, String name) {
        int c = r.columnIndex(name);
        if (c < 0) {
            throw new UserException(option + " column '" + name + "' is not in the dataset (columns: " + String.join(", ", cols.names()) + ")");
        }
        return c;
    }

    /** Adds a cell's token count and tokens (little-endian int32) to the dataset's fingerprint. */
    private static void hash(MessageDigest digest, ByteBuffer buf, int[] t) {
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
}
