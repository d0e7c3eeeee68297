package org.geneformer4j.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.engine.CellQuery;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.engine.TokenCheck;

/** The cells of a tokenized dataset a classifier reads: the {@link CellQuery} with the class and group columns carried. */
public final class CellTable {
    private CellTable() {}

    /**
     * @param labelColumn the class column, or null (gene classification, prediction)
     * @param groupColumn the column no two splits may share (donor, batch), or null
     */
    public static List<LabeledCell> read(Path dataset, String labelColumn, String groupColumn,
            Map<String, Set<String>> filters, TokenCheck fit) {
        CellQuery q = CellQuery.all().filter(filters)
                .carry("--label", labelColumn == null ? List.of() : List.of(labelColumn))
                .carry("--split-by", groupColumn == null ? List.of() : List.of(groupColumn));
        List<SelectedCell> cells;
        try (DatasetReader r = Datasets.openTokenized(dataset)) {
            cells = q.select(r, fit).cells();
        }
        List<LabeledCell> out = new ArrayList<>(cells.size());
        int group = labelColumn == null ? 0 : 1;
        for (SelectedCell c : cells) {
            out.add(new LabeledCell(c.row(), c.id(), c.tokens(), labelColumn == null ? null : c.value(0),
                    groupColumn == null ? null : c.value(group)));
        }
        return out;
    }
}
