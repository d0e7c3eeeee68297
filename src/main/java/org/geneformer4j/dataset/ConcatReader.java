package org.geneformer4j.dataset;

import java.nio.file.Path;
import java.util.List;
import java.util.NoSuchElementException;
import org.geneformer4j.util.UserException;

/** Several datasets read back to back as one; every part must have the same column names and types. */
final class ConcatReader implements DatasetReader {
    private final List<Path> paths;
    private final List<Column> columns;
    private DatasetReader current;
    private int next;

    private ConcatReader(List<Path> paths) {
        this.paths = paths;
        this.current = Datasets.open(paths.get(0));
        this.columns = current.columns();
        this.next = 1;
    }

    static DatasetReader of(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new UserException("no dataset given");
        }
        return paths.size() == 1 ? Datasets.open(paths.get(0)) : new ConcatReader(paths);
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public boolean hasNext() {
        while (!current.hasNext()) {
            if (next >= paths.size()) {
                return false;
            }
            current.close();
            Path p = paths.get(next++);
            current = Datasets.open(p);
            if (!current.columns().equals(columns)) {
                throw new UserException(p + ": columns " + current.columns() + " differ from the first dataset's " + columns);
            }
        }
        return true;
    }

    @Override
    public RowBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return current.next();
    }

    @Override
    public void close() {
        current.close();
    }
}
