package org.geneformer4j.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.FieldNode;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geneformer4j.util.UserException;

/**
 * The {@code input_ids} of one Arrow IPC file (stream format, as {@code datasets} writes it, or file format) read
 * by row with two positioned reads, the row's start offset and its values, straight from the file: no record batch
 * is decoded, no other column touched. Opening reads each record batch's metadata and list offsets once (4 or 8
 * bytes a row) for the lengths. Not memory-mapped, so the pages read count as page cache, not as this process's
 * memory.
 */
final class ArrowTokens implements TokenRows {
    private static final byte[] FILE_MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);

    private final Path path;
    private final FileChannel channel;
    private final int[] lengths;
    /** Per record batch: its first row, then (one past the end) the row count. */
    private final int[] firstRow;
    private final long[] offsetsAt;
    private final long[] valuesAt;
    private final int offsetWidth;
    private final int valueWidth;

    private ArrowTokens(Path path, FileChannel channel, Index index) {
        this.path = path;
        this.channel = channel;
        this.lengths = Arrays.copyOf(index.lengths, index.rows);
        this.firstRow = Arrays.copyOf(index.firstRow, index.batches + 1);
        this.firstRow[index.batches] = index.rows;
        this.offsetsAt = Arrays.copyOf(index.offsetsAt, index.batches);
        this.valuesAt = Arrays.copyOf(index.valuesAt, index.batches);
        this.offsetWidth = index.offsetWidth;
        this.valueWidth = index.valueWidth;
    }

    static ArrowTokens open(Path path) {
        FileChannel ch = null;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
            long size = ch.size();
            byte[] head = new byte[6];
            long from = 0;
            long end = size;
            if (size >= 6) {
                read(ch, ByteBuffer.wrap(head), 0);
            }
            if (Arrays.equals(head, FILE_MAGIC)) {
                // file format: magic, padding, the stream's messages, footer, footer length, magic
                ByteBuffer tail = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
                if (size < 18) {
                    throw new UserException(path + ": truncated Arrow file");
                }
                read(ch, tail, size - 10);
                int footer = tail.getInt(0);
                if (footer < 0 || footer > size - 18) {
                    throw new UserException(path + ": corrupt Arrow file footer");
                }
                from = 8;
                end = size - 10 - footer;
            }
            Index index = new Index(path);
            FileChannel c = ch;
            IpcFraming.walk(path, ch, from, end, f -> index.add(c, f));
            if (index.schema == null) {
                throw new UserException(path + ": not a readable Arrow file (no schema)");
            }
            return new ArrowTokens(path, ch, index);
        } catch (IOException | RuntimeException e) {
            closeQuietly(ch);
            if (e instanceof UserException u) {
                throw u;
            }
            throw new UserException(path + ": not a readable Arrow file (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public int size() {
        return lengths.length;
    }

    @Override
    public int length(int row) {
        return lengths[row];
    }

    @Override
    public int[] tokens(int row) {
        int n = lengths[row];
        if (n == 0) {
            return new int[0];
        }
        int b = Arrays.binarySearch(firstRow, row);
        b = b >= 0 ? b : -b - 2;
        while (firstRow[b + 1] == row) {
            b++; // empty batches share a first row with the next one
        }
        try {
            ByteBuffer o = ByteBuffer.allocate(offsetWidth).order(ByteOrder.LITTLE_ENDIAN);
            read(channel, o, offsetsAt[b] + (long) (row - firstRow[b]) * offsetWidth);
            long start = offsetWidth == 4 ? o.getInt(0) : o.getLong(0);
            ByteBuffer v = ByteBuffer.allocate(n * valueWidth).order(ByteOrder.LITTLE_ENDIAN);
            read(channel, v, valuesAt[b] + start * valueWidth);
            int[] out = new int[n];
            for (int k = 0; k < n; k++) {
                out[k] = switch (valueWidth) {
                    case 1 -> v.get(k);
                    case 2 -> v.getShort(2 * k);
                    case 4 -> v.getInt(4 * k);
                    default -> Math.toIntExact(v.getLong(8 * k));
                };
            }
            return out;
        } catch (IOException | ArithmeticException e) {
            throw new UserException(where(row) + ": cannot read its input_ids (" + e.getMessage() + ")", e);
        }
    }

    @Override
    public String where(int row) {
        return path + " row " + row;
    }

    @Override
    public void close() {
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel ch) {
        try {
            if (ch != null) {
                ch.close();
            }
        } catch (IOException ignored) {
            // read-only
        }
    }

    private static void read(FileChannel ch, ByteBuffer b, long at) throws IOException {
        while (b.hasRemaining()) {
            if (ch.read(b, at + b.position()) < 0) {
                throw new IOException("unexpected end of file at offset " + (at + b.position()));
            }
        }
    }

    /** What opening learns from the messages: the schema, where input_ids lies in each batch, every row's length. */
    private static final class Index {
        final Path path;
        Schema schema;
        int node;
        int buffer;
        int viewsBefore;
        int offsetWidth;
        int valueWidth;
        int rows;
        int batches;
        int[] lengths = new int[1024];
        int[] firstRow = new int[16];
        long[] offsetsAt = new long[16];
        long[] valuesAt = new long[16];

        Index(Path path) {
            this.path = path;
        }

        void add(FileChannel ch, IpcFraming.Frame f) {
            byte type = f.message().headerType();
            if (type == MessageHeader.Schema) {
                if (schema == null) {
                    schema = Schema.convertSchema((org.apache.arrow.flatbuf.Schema) f.message().header(new org.apache.arrow.flatbuf.Schema()));
                    locate(schema.getFields());
                }
            } else if (type == MessageHeader.RecordBatch) {
                if (schema == null) {
                    throw new UserException(path + ": corrupt Arrow data (a record batch before the schema)");
                }
                try {
                    batch(ch, (RecordBatch) f.message().header(new RecordBatch()), f.bodyAt(), f.bodyLength());
                } catch (IOException e) {
                    throw new UserException(path + ": cannot read: " + e.getMessage(), e);
                }
            }
        }

        /** The node and buffer indices of input_ids in every record batch: the fields before it, depth first. */
        private void locate(List<Field> fields) {
            int[] acc = new int[3];
            for (Field f : fields) {
                if (f.getName().equals("input_ids")) {
                    node = acc[0];
                    buffer = acc[1];
                    viewsBefore = acc[2];
                    ArrowType t = f.getType();
                    boolean large = t instanceof ArrowType.LargeList;
                    if (!(t instanceof ArrowType.List || large) || f.getChildren().size() != 1
                            || !(f.getChildren().get(0).getType() instanceof ArrowType.Int i) || f.getChildren().get(0).getDictionary() != null) {
                        throw new UserException(path + ": input_ids is " + t + ", not a list of integers");
                    }
                    offsetWidth = large ? 8 : 4;
                    valueWidth = i.getBitWidth() / 8;
                    return;
                }
                count(f, acc);
            }
            throw new UserException("the dataset has no input_ids column: is it a tokenized dataset? (" + path + ")");
        }

        /** Nodes, buffers and view columns (which add variadic buffers) of a field and its children. */
        private static void count(Field f, int[] acc) {
            acc[0]++;
            if (f.getDictionary() != null) {
                acc[1] += 2; // its indices: validity and values
                return;
            }
            ArrowType t = f.getType();
            acc[1] += TypeLayout.getTypeBufferCount(t);
            if (t instanceof ArrowType.Utf8View || t instanceof ArrowType.BinaryView) {
                acc[2]++;
            }
            for (Field c : f.getChildren()) {
                count(c, acc);
            }
        }

        private void batch(FileChannel ch, RecordBatch rb, long bodyAt, long bodyLength) throws IOException {
            if (rb.compression() != null) {
                throw new UserException(path + ": compressed Arrow buffers (LZ4/ZSTD) are not supported; write the dataset uncompressed");
            }
            int n = Math.toIntExact(rb.length());
            int extra = 0;
            for (int v = 0; v < viewsBefore; v++) {
                extra += Math.toIntExact(rb.variadicBufferCounts(v));
            }
            int b0 = buffer + extra;
            if (rb.nodesLength() < node + 2 || rb.buffersLength() < b0 + 4) {
                throw new UserException(path + ": corrupt Arrow record batch (too few buffers for input_ids)");
            }
            FieldNode list = rb.nodes(node);
            Buffer validity = buffer(rb, b0, bodyLength);
            Buffer offsets = buffer(rb, b0 + 1, bodyLength);
            Buffer values = buffer(rb, b0 + 3, bodyLength);
            if (list.length() != n || (n > 0 && offsets.length() < (long) (n + 1) * offsetWidth)) {
                throw new UserException(path + ": corrupt Arrow record batch (input_ids offsets do not cover its " + n + " rows)");
            }
            ensure(n);
            if (n > 0) {
                ByteBuffer o = ByteBuffer.allocate((n + 1) * offsetWidth).order(ByteOrder.LITTLE_ENDIAN);
                read(ch, o, bodyAt + offsets.offset());
                byte[] valid = null;
                if (list.nullCount() > 0 && validity.length() > 0) {
                    ByteBuffer bits = ByteBuffer.allocate((n + 7) / 8);
                    read(ch, bits, bodyAt + validity.offset());
                    valid = bits.array();
                }
                long prev = offset(o, 0);
                for (int i = 0; i < n; i++) {
                    long next = offset(o, i + 1);
                    if (prev < 0 || next < prev || next - prev > Integer.MAX_VALUE || next > values.length() / valueWidth) {
                        throw new UserException(path + ": corrupt Arrow record batch (input_ids offsets out of order or out of bounds)");
                    }
                    boolean isNull = valid != null && (valid[i >> 3] & (1 << (i & 7))) == 0;
                    lengths[rows + i] = isNull ? 0 : (int) (next - prev); // a null cell is an empty one, as the reader makes it
                    prev = next;
                }
            }
            if (batches == firstRow.length) {
                firstRow = Arrays.copyOf(firstRow, batches * 2);
                offsetsAt = Arrays.copyOf(offsetsAt, batches * 2);
                valuesAt = Arrays.copyOf(valuesAt, batches * 2);
            }
            firstRow[batches] = rows;
            offsetsAt[batches] = bodyAt + offsets.offset();
            valuesAt[batches] = bodyAt + values.offset();
            batches++;
            rows = Math.addExact(rows, n);
        }

        private long offset(ByteBuffer o, int i) {
            return offsetWidth == 4 ? o.getInt(4 * i) : o.getLong(8 * i);
        }

        private Buffer buffer(RecordBatch rb, int i, long bodyLength) {
            Buffer b = rb.buffers(i);
            if (b.offset() < 0 || b.length() < 0 || b.offset() > bodyLength - b.length()) {
                throw new UserException(path + ": corrupt Arrow record batch (a buffer reaches past its body)");
            }
            return b;
        }

        private void ensure(int n) {
            long need = (long) rows + n;
            if (need > lengths.length) {
                lengths = Arrays.copyOf(lengths, (int) Math.min(Integer.MAX_VALUE - 8, Math.max(need, 2L * lengths.length)));
            }
        }
    }
}
