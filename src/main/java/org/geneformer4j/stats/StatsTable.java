package org.geneformer4j.stats;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;

/** A result table: named columns, rows of strings, integers and doubles; written as CSV with NaN as an empty cell (as pandas). */
public final class StatsTable {
    private final List<String> columns;
    private final List<Object[]> rows = new ArrayList<>();

    StatsTable(List<String> columns) {
        this.columns = List.copyOf(columns);
    }

    public List<String> columns() {
        return columns;
    }

    public int rows() {
        return rows.size();
    }

    public Object get(int row, String column) {
        return rows.get(row)[index(column)];
    }

    void add(Object... row) {
        if (row.length != columns.size()) {
            throw new IllegalArgumentException(row.length + " values for " + columns.size() + " columns");
        }
        rows.add(row);
    }

    int index(String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column);
        }
        return i;
    }

    /** A key for a stable sort (pandas' multi-column sort_values): NaN last whatever the direction. */
    Comparator<Object[]> by(String column, boolean ascending) {
        int i = index(column);
        return (x, y) -> {
            double a = ((Number) x[i]).doubleValue();
            double b = ((Number) y[i]).doubleValue();
            if (Double.isNaN(a) || Double.isNaN(b)) {
                return Boolean.compare(Double.isNaN(a), Double.isNaN(b));
            }
            return ascending ? Double.compare(a, b) : Double.compare(b, a);
        };
    }

    void sort(Comparator<Object[]> order) {
        rows.sort(order); // List.sort is stable
    }

    /** This table without one column (a sort key that is not part of the result). */
    StatsTable without(String column) {
        int drop = index(column);
        List<String> cols = new ArrayList<>(columns);
        cols.remove(drop);
        StatsTable t = new StatsTable(cols);
        for (Object[] r : rows) {
            Object[] n = new Object[r.length - 1];
            for (int i = 0, j = 0; i < r.length; i++) {
                if (i != drop) {
                    n[j++] = r[i];
                }
            }
            t.add(n);
        }
        return t;
    }

    public void write(Path file, boolean overwrite) {
        try (AtomicFile f = AtomicFile.create(file, overwrite);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(f.stream(), StandardCharsets.UTF_8))) {
            w.write(String.join(",", columns.stream().map(Csv::quote).toList()));
            w.write('\n');
            for (Object[] r : rows) {
                for (int i = 0; i < r.length; i++) {
                    if (i > 0) {
                        w.write(',');
                    }
                    w.write(cell(r[i]));
                }
                w.write('\n');
            }
            w.flush();
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return d.isNaN() ? "" : d.toString();
        }
        return Csv.quote(v.toString());
    }
}
