package org.geneformer4j.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.NoSpace;

/**
 * One table as an Arrow IPC file, which is Feather version 2: {@code pandas.read_feather}, {@code pyarrow.feather}
 * and R's {@code arrow::read_feather} read it directly, and {@link Datasets#open} reads it back. Written atomically.
 */
public final class ArrowFile {
    private ArrowFile() {}

    public static void write(Path target, List<Column> columns, RowBatch batch, boolean overwrite) {
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) {
            fields.add(c.type().arrowField(c.name()));
        }
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(new Schema(fields), allocator);
                AtomicFile f = AtomicFile.create(target, overwrite)) {
            for (int c = 0; c < columns.size(); c++) {
                HfDatasetWriter.fill(root.getVector(c), columns.get(c).type(), batch.columns()[c], batch.rows());
            }
            root.setRowCount(batch.rows());
            try (ArrowFileWriter w = new ArrowFileWriter(root, null, Channels.newChannel(f.stream()))) {
                w.start();
                w.writeBatch();
                w.end();
            }
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(NoSpace.orItself(e, target));
        }
    }
}
