package org.geneformer4j.counts;

import java.util.ArrayList;
import java.util.List;

/**
 * 10x features (or v2 genes): IDs, names and feature types. Like scanpy's default {@code gex_only=True}, only
 * "Gene Expression" features become gene columns; antibody capture and CRISPR guides are dropped.
 */
final class TenxFeatures {
    final int[] columnMap;
    final ObsTable var;

    TenxFeatures(String[] ids, String[] names, String[] types) {
        columnMap = new int[ids.length];
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            boolean gex = types == null || types[i] == null || "Gene Expression".equals(types[i]);
            columnMap[i] = gex ? kept.size() : -1;
            if (gex) kept.add(i);
        }
        int n = kept.size();
        String[] id = new String[n], name = new String[n], type = new String[n];
        for (int j = 0; j < n; j++) {
            int i = kept.get(j);
            id[j] = ids[i];
            name[j] = names == null ? ids[i] : names[i];
            type[j] = types == null ? "Gene Expression" : types[i];
        }
        var = new ObsTable(id, List.of(ObsColumn.strings("gene_ids", id), ObsColumn.strings("gene_symbols", name),
                ObsColumn.strings("feature_types", type)));
    }

    boolean dropsAny() {
        for (int c : columnMap) if (c < 0) return true;
        return false;
    }

    static ObsTable barcodes(String[] barcodes) {
        return new ObsTable(barcodes, List.of());
    }
}
