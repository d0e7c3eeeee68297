package org.geneformer4j.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.embed.TokenCheck;
import org.geneformer4j.util.UserException;

/** Reads the cells of a tokenized dataset for a classifier: filtered, checked against the model, with labels. */
public final class CellTable {
    private CellTable() {}

    /**
     * @param labelColumn the class column, or null (gene classification, prediction)
     * @param groupColumn the column no two splits may share (donor, batch), or null
     */
    public static List<LabeledCell> read(Path dataset, String labelColumn, String groupColumn,
            Map<String, Set<String>> filters, TokenCheck fit) {
        List<LabeledCell> out = new ArrayList<>();
        try (DatasetReader r = Datasets.open(dataset)) {
            TokenColumns cols = TokenColumns.of(r, List.of());
            List<String> names = r.columns().stream().map(Column::name).toList();
            int label = column(r, labelColumn, "--label", names);
            int group = column(r, groupColumn, "--split-by", names);
            int[] filterCols = new int[filters.size()];
            List<Set<String>> allowed = new ArrayList<>();
            int f = 0;
            for (Map.Entry<String, Set<String>> e : filters.entrySet()) {
                filterCols[f++] = column(r, e.getKey(), "--filter", names);
                allowed.add(e.getValue());
            }
            int row = 0;
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++, row++) {
                    boolean keep = true;
                    for (int k = 0; k < filterCols.length && keep; k++) {
                        keep = allowed.get(k).contains(TokenColumns.string(b, filterCols[k], i));
                    }
                    if (!keep) {
                        continue;
                    }
                    String id = cols.id(b, i, row);
                    int[] t = cols.tokens(b, i);
                    fit.check(id, t);
                    out.add(new LabeledCell(row, id, t, label < 0 ? null : TokenColumns.string(b, label, i),
                            group < 0 ? null : TokenColumns.string(b, group, i)));
                }
            }
        }
        fit.finish();
        if (out.isEmpty()) {
            throw new UserException(dataset + ": no cell is left" + (filters.isEmpty() ? "" : " after --filter " + filters));
        }
        return out;
    }

    private static int column(DatasetReader r, String name, String option, List<String> names) {
        if (name == null) {
            return -1;
        }
        int c = r.columnIndex(name);
        if (c < 0) {
            throw new UserException(option + " column '" + name + "' is not in the dataset (columns: " + String.join(", ", names) + ")");
        }
        return c;
    }
}
