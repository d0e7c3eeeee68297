package org.geneformer4j.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FloatingPointVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.BaseListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.geneformer4j.util.UserException;

/**
 * Reads Arrow IPC files one after another as one table: the shards of a {@code save_to_disk} directory, or any
 * {@code .arrow} file (stream format, as {@code datasets} writes, or the random-access file format).
 */
final class ArrowShards implements DatasetReader {
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final List<Path> files;
    private final BufferAllocator allocator;
    private final List<Column> columns;
    private int next;
    private ArrowReader reader;
    private InputStream in;
    private SeekableByteChannel channel;
    private RowBatch pending;

    ArrowShards(List<Path> files) {
        if (files.isEmpty()) {
            throw new UserException("dataset has no data files");
        }
        this.files = files;
        this.allocator = new RootAllocator(allocationLimit(files));
        openNext();
        try {
            this.columns = columnsOf(reader.getVectorSchemaRoot().getSchema().getFields());
        } catch (IOException e) {
            throw new UserException(files.get(0) + ": not a readable Arrow file: " + e.getMessage(), e);
        }
    }

    /**
     * No record batch of an uncompressed IPC file is larger than the file: a body length beyond that is a corrupt
     * field, refused by the allocator instead of reserving petabytes (found by fuzzing).
     */
    private static long allocationLimit(List<Path> files) {
        long max = 0;
        for (Path p : files) {
            try {
                max = Math.max(max, Files.size(p));
            } catch (IOException e) {
                throw new UserException(p + ": cannot read: " + e.getMessage(), e);
            }
        }
        return 2 * max + (16L << 20);
    }

    private static List<Column> columnsOf(List<Field> fields) {
        List<Column> cols = new ArrayList<>();
        for (Field f : fields) {
            ColumnType t = ColumnType.of(f);
            cols.add(new Column(f.getName(), t == null ? ColumnType.STRING : t));
        }
        return cols;
    }

    private boolean openNext() {
        closeCurrent();
        if (next >= files.size()) {
            return false;
        }
        Path p = files.get(next++);
        try {
            byte[] head;
            try (InputStream probe = Files.newInputStream(p)) {
                head = probe.readNBytes(6);
            }
            if (Arrays.equals(head, FILE_MAGIC)) {
                channel = Files.newByteChannel(p);
                reader = new ArrowFileReader(channel, allocator);
            } else {
                IpcFraming.check(p);
                in = Files.newInputStream(p);
                reader = new ArrowStreamReader(in, allocator);
            }
            reader.getVectorSchemaRoot();
            return true;
        } catch (IOException | RuntimeException e) {
            throw new UserException(p + ": not a readable Arrow file (" + e.getMessage() + ")", e);
        }
    }

    private void closeCurrent() {
        try {
            if (reader != null) reader.close();
            if (in != null) in.close();
            if (channel != null) channel.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        reader = null;
        in = null;
        channel = null;
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public boolean hasNext() {
        while (pending == null) {
            if (reader == null) {
                return false;
            }
            try {
                if (reader.loadNextBatch()) {
                    VectorSchemaRoot root = reader.getVectorSchemaRoot();
                    // offsets and row counts against the buffers, before decoding trusts them for array sizes
                    for (FieldVector v : root.getFieldVectors()) ValueVectorUtility.validateFull(v);
                    if (root.getRowCount() > 0) {
                        pending = decode(root);
                    }
                } else if (!openNext()) {
                    return false;
                }
            } catch (IOException | RuntimeException e) {
                throw new UserException(files.get(next - 1) + ": corrupt or truncated Arrow data (" + e.getMessage() + ")", e);
            }
        }
        return true;
    }

    @Override
    public RowBatch next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        RowBatch b = pending;
        pending = null;
        return b;
    }

    private RowBatch decode(VectorSchemaRoot root) {
        int n = root.getRowCount();
        if (root.getFieldVectors().size() != columns.size()) {
            throw new UserException("Arrow shards of one dataset have different schemas");
        }
        Object[] cols = new Object[columns.size()];
        for (int c = 0; c < cols.length; c++) {
            cols[c] = decodeColumn(root.getVector(c), columns.get(c).type(), n);
        }
        return new RowBatch(n, cols);
    }

    static Object decodeColumn(FieldVector v, ColumnType type, int n) {
        switch (type) {
            case INT32_LIST, INT64_LIST -> {
                BaseListVector lv = (BaseListVector) v;
                BaseIntVector child = (BaseIntVector) ((ListVector) lv).getDataVector();
                int[][] out = new int[n][];
                for (int i = 0; i < n; i++) {
                    if (v.isNull(i)) {
                        out[i] = new int[0];
                        continue;
                    }
                    long start = lv.getElementStartIndex(i);
                    long end = lv.getElementEndIndex(i);
                    int[] r = new int[(int) (end - start)];
                    for (int k = 0; k < r.length; k++) r[k] = Math.toIntExact(child.getValueAsLong((int) start + k));
                    out[i] = r;
                }
                return out;
            }
            case INT64 -> {
                long[] out = new long[n];
                for (int i = 0; i < n; i++) out[i] = v.isNull(i) ? 0 : ((BaseIntVector) v).getValueAsLong(i);
                return out;
            }
            case INT32 -> {
                int[] out = new int[n];
                for (int i = 0; i < n; i++) out[i] = v.isNull(i) ? 0 : (int) ((BaseIntVector) v).getValueAsLong(i);
                return out;
            }
            case FLOAT64 -> {
                double[] out = new double[n];
                for (int i = 0; i < n; i++) out[i] = v.isNull(i) ? Double.NaN : ((FloatingPointVector) v).getValueAsDouble(i);
                return out;
            }
            case FLOAT32 -> {
                float[] out = new float[n];
                for (int i = 0; i < n; i++) out[i] = v.isNull(i) ? Float.NaN : (float) ((FloatingPointVector) v).getValueAsDouble(i);
                return out;
            }
            case BOOL -> {
                boolean[] out = new boolean[n];
                for (int i = 0; i < n; i++) out[i] = !v.isNull(i) && ((BitVector) v).get(i) == 1;
                return out;
            }
            default -> {
                String[] out = new String[n];
                for (int i = 0; i < n; i++) {
                    Object o = v.getObject(i);
                    out[i] = o == null ? null : o.toString();
                }
                return out;
            }
        }
    }

    @Override
    public void close() {
        closeCurrent();
        allocator.close();
    }
}
