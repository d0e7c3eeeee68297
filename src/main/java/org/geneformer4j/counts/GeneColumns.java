package org.geneformer4j.counts;

import java.util.Arrays;
import java.util.List;
import org.geneformer4j.util.UserException;

/** Which per-gene column holds the gene IDs. */
final class GeneColumns {
    static final String ENSEMBL_ID = "ensembl_id";

    private GeneColumns() {
    }

    static List<String> resolve(CellMatrixReader reader, String requested, List<String> notes) {
        ObsTable var = reader.var();
        if (requested != null) {
            if (!var.has(requested)) {
                throw new UserException(reader.path() + ": no gene column '" + requested + "' (available: "
                        + String.join(", ", var.names()) + ")");
            }
            return column(var, requested);
        }
        String def = reader.defaultGeneColumn();
        if (var.has(def)) {
            return column(var, def);
        }
        notes.add("no '" + def + "' gene column in " + reader.path().getFileName()
                + "; using the gene index as gene IDs (choose another with --gene-column)");
        return Arrays.asList(var.index());
    }

    static String describe(CellMatrixReader reader, String requested) {
        String name = requested != null ? requested : reader.defaultGeneColumn();
        return requested != null || reader.var().has(name) ? "gene column '" + name + "'" : "the gene index";
    }

    private static List<String> column(ObsTable var, String name) {
        ObsColumn c = var.column(name);
        String[] ids = new String[c.size()];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = c.asString(i);
        }
        return Arrays.asList(ids);
    }
}
