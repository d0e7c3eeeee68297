package org.geneformer4j.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.NoSpace;

/**
 * Writes a dataset exactly as Hugging Face {@code Dataset.save_to_disk} lays it out: Arrow IPC stream shards
 * {@code data-0000K-of-0000N.arrow}, {@code dataset_info.json} and {@code state.json}; the schema carries the
 * {@code huggingface} metadata that {@code datasets} reads its features from. Shards roll over at
 * {@code maxShardBytes} (upstream's default 500 MB). The directory appears only at {@link #commit()}.
 */
public final class HfDatasetWriter implements AutoCloseable {
    public static final long DEFAULT_SHARD_BYTES = 500L << 20;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final AtomicDirectory out;
    private final List<Column> columns;
    private final Schema schema;
    private final long maxShardBytes;
    private final BufferAllocator allocator = new RootAllocator();
    private final Opener opener;
    private final List<Path> shards = new ArrayList<>();
    private VectorSchemaRoot root;
    private ArrowStreamWriter writer;
    private OutputStream stream;
    private long shardBytes;
    private long rows;
    /** SHA-256 of every shard's bytes in order, taken as they are written: the fingerprint without a second read. */
    private final java.security.MessageDigest content = sha256();

    /** How a shard file is opened; tests substitute a disk that fills up. */
    interface Opener {
        OutputStream open(Path shard) throws IOException;
    }

    public HfDatasetWriter(Path target, List<Column> columns, boolean overwrite, long maxShardBytes) {
        this(target, columns, overwrite, maxShardBytes, Files::newOutputStream);
    }

    HfDatasetWriter(Path target, List<Column> columns, boolean overwrite, long maxShardBytes, Opener opener) {
        this.opener = opener;
        this.columns = List.copyOf(columns);
        this.maxShardBytes = maxShardBytes;
        List<Field> fields = new ArrayList<>();
        for (Column c : columns) fields.add(c.type().arrowField(c.name()));
        ObjectNode info = JSON.createObjectNode();
        info.putObject("info").set("features", features());
        this.schema = new Schema(fields, Map.of("huggingface", info.toString()));
        this.out = AtomicDirectory.create(target, overwrite);
    }

    private ObjectNode features() {
        ObjectNode f = JSON.createObjectNode();
        for (Column c : columns) f.set(c.name(), c.type().hfFeature());
        return f;
    }

    public List<Column> columns() {
        return columns;
    }

    public long rows() {
        return rows;
    }

    public void write(RowBatch batch) throws IOException {
        if (batch.rows() == 0) {
            return;
        }
        try {
            append(batch);
        } catch (IOException e) {
            throw NoSpace.orItself(e, out.target());
        }
    }

    private void append(RowBatch batch) throws IOException {
        if (writer == null || shardBytes >= maxShardBytes) {
            startShard();
        }
        root.clear();
        for (int c = 0; c < columns.size(); c++) {
            fill(root.getVector(c), columns.get(c).type(), batch.columns()[c], batch.rows());
        }
        root.setRowCount(batch.rows());
        writer.writeBatch();
        shardBytes = writer.bytesWritten();
        rows += batch.rows();
    }

    private void startShard() throws IOException {
        finishShard();
        Path p = out.staging().resolve("shard-" + shards.size() + ".arrow");
        shards.add(p);
        stream = NoSpace.naming(new java.security.DigestOutputStream(opener.open(p), content), out.target());
        root = VectorSchemaRoot.create(schema, allocator);
        writer = new ArrowStreamWriter(root, null, Channels.newChannel(stream));
        writer.start();
        shardBytes = 0;
    }

    private void finishShard() throws IOException {
        if (writer != null) {
            try {
                writer.end();
                writer.close();
                stream.close();
            } finally {
                releaseShard();
            }
        }
    }

    /** Frees the shard's buffers whether or not its stream could be finished, so the allocator closes clean. */
    private void releaseShard() {
        if (writer != null) {
            for (AutoCloseable c : new AutoCloseable[] {writer, stream, root}) {
                try {
                    c.close();
                } catch (Exception ignored) {
                    // after a failed write the stream cannot be ended; the failure itself is already on its way
                }
            }
            writer = null;
            root = null;
            stream = null;
        }
    }

    static void fill(FieldVector v, ColumnType type, Object data, int n) {
        switch (type) {
            case INT32_LIST, INT64_LIST -> {
                ListVector lv = (ListVector) v;
                lv.allocateNew();
                FieldVector child = lv.getDataVector();
                int total = 0;
                if (data instanceof int[][] rows) {
                    for (int[] r : rows) total += r.length;
                    if (child instanceof IntVector iv) {
                        iv.allocateNew(total);
                        int at = 0;
                        for (int i = 0; i < n; i++) {
                            lv.startNewValue(i);
                            for (int x : rows[i]) iv.set(at++, x);
                            lv.endValue(i, rows[i].length);
                        }
                    } else {
                        BigIntVector bv = (BigIntVector) child;
                        bv.allocateNew(total);
                        int at = 0;
                        for (int i = 0; i < n; i++) {
                            lv.startNewValue(i);
                            for (int x : rows[i]) bv.set(at++, x);
                            lv.endValue(i, rows[i].length);
                        }
                    }
                    child.setValueCount(total);
                } else {
                    long[][] rows = (long[][]) data;
                    for (long[] r : rows) total += r.length;
                    BigIntVector bv = (BigIntVector) child;
                    bv.allocateNew(total);
                    int at = 0;
                    for (int i = 0; i < n; i++) {
                        lv.startNewValue(i);
                        for (long x : rows[i]) bv.set(at++, x);
                        lv.endValue(i, rows[i].length);
                    }
                    child.setValueCount(total);
                }
                lv.setValueCount(n);
            }
            case INT64 -> {
                BigIntVector bv = (BigIntVector) v;
                bv.allocateNew(n);
                long[] a = (long[]) data;
                for (int i = 0; i < n; i++) bv.set(i, a[i]);
                bv.setValueCount(n);
            }
            case INT32 -> {
                IntVector iv = (IntVector) v;
                iv.allocateNew(n);
                int[] a = (int[]) data;
                for (int i = 0; i < n; i++) iv.set(i, a[i]);
                iv.setValueCount(n);
            }
            case FLOAT64 -> {
                Float8Vector fv = (Float8Vector) v;
                fv.allocateNew(n);
                double[] a = (double[]) data;
                for (int i = 0; i < n; i++) fv.set(i, a[i]);
                fv.setValueCount(n);
            }
            case FLOAT32 -> {
                Float4Vector fv = (Float4Vector) v;
                fv.allocateNew(n);
                float[] a = (float[]) data;
                for (int i = 0; i < n; i++) fv.set(i, a[i]);
                fv.setValueCount(n);
            }
            case BOOL -> {
                BitVector bv = (BitVector) v;
                bv.allocateNew(n);
                boolean[] a = (boolean[]) data;
                for (int i = 0; i < n; i++) bv.set(i, a[i] ? 1 : 0);
                bv.setValueCount(n);
            }
            case STRING -> {
                VarCharVector sv = (VarCharVector) v;
                sv.allocateNew(n);
                String[] a = (String[]) data;
                for (int i = 0; i < n; i++) {
                    if (a[i] == null) sv.setNull(i);
                    else sv.setSafe(i, a[i].getBytes(StandardCharsets.UTF_8));
                }
                sv.setValueCount(n);
            }
        }
    }

    /** Finishes the shards, names them {@code data-K-of-N}, writes the JSON files and publishes the directory. */
    public Path commit() throws IOException {
        try {
            return publish();
        } catch (IOException e) {
            throw NoSpace.orItself(e, out.target());
        }
    }

    private Path publish() throws IOException {
        if (shards.isEmpty()) {
            startShard(); // an empty dataset still has one shard holding the schema
        }
        finishShard();
        int n = shards.size();
        ArrayNode files = JSON.createArrayNode();
        for (int i = 0; i < n; i++) {
            String name = String.format("data-%05d-of-%05d.arrow", i, n);
            Files.move(shards.get(i), out.staging().resolve(name));
            files.addObject().put("filename", name);
        }
        ObjectNode info = JSON.createObjectNode();
        info.put("citation", "");
        info.put("description", "");
        info.set("features", features());
        info.put("homepage", "");
        info.put("license", "");
        Files.writeString(out.staging().resolve("dataset_info.json"), JSON.writeValueAsString(info));
        ObjectNode state = JSON.createObjectNode();
        state.set("_data_files", files);
        state.put("_fingerprint", HexFormat.of().formatHex(content.digest(), 0, 8));
        state.putNull("_format_columns");
        state.putObject("_format_kwargs");
        state.putNull("_format_type");
        state.put("_output_all_columns", false);
        state.putNull("_split");
        Files.writeString(out.staging().resolve("state.json"), JSON.writeValueAsString(state));
        out.commit();
        return out.target();
    }

    /**
     * Removes the output unless committed. Never throws because of an earlier failure: the shard's buffers are
     * released even when its stream cannot be finished, so a failed write is what the user sees, not the allocator
     * complaining about the buffers the failure left behind.
     */
    @Override
    public void close() {
        releaseShard();
        out.close();
        allocator.close();
    }

    /**
     * The dataset's fingerprint is the first 8 bytes of the SHA-256 of its data files ({@link #content}). datasets
     * draws a random one when it cannot hash a transform; one derived from the content is as valid a cache key for
     * it, and makes a rerun's output byte-identical to the first run's (a killed and rerun job leaves the same dataset).
     */
    private static java.security.MessageDigest sha256() {
        try {
            return java.security.MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
