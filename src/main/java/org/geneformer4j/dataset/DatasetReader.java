package org.geneformer4j.dataset;

import java.io.Closeable;
import java.util.Iterator;
import java.util.List;

/** Sequential access to a dataset's rows, batch by batch, in storage order. */
public interface DatasetReader extends Iterator<RowBatch>, Closeable {
    List<Column> columns();

    default int columnIndex(String name) {
        List<Column> cols = columns();
        for (int i = 0; i < cols.size(); i++) {
            if (cols.get(i).name().equals(name)) return i;
        }
        return -1;
    }

    @Override
    void close();
}
