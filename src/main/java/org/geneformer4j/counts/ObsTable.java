package org.geneformer4j.counts;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Per-cell metadata: an index (cell ids) and named columns, in the input's column order. */
public final class ObsTable {
    private final String[] index;
    private final Map<String, ObsColumn> columns = new LinkedHashMap<>();

    public ObsTable(String[] index, List<ObsColumn> columns) {
        this.index = index;
        for (ObsColumn c : columns) {
            if (c.size() != index.length) {
                throw new IllegalArgumentException("column " + c.name() + " has " + c.size() + " rows, index has " + index.length);
            }
            this.columns.put(c.name(), c);
        }
    }

    public int size() {
        return index.length;
    }

    /** Cell ids (the obs index, loom {@code CellID}, 10x barcodes). */
    public String[] index() {
        return index;
    }

    public boolean has(String name) {
        return columns.containsKey(name);
    }

    public ObsColumn column(String name) {
        return columns.get(name);
    }

    public List<String> names() {
        return List.copyOf(columns.keySet());
    }
}
