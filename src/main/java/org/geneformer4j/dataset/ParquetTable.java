package org.geneformer4j.dataset;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.zip.GZIPInputStream;
import org.geneformer4j.util.UserException;

/**
 * Reads the parquet files tokenized corpora come in (Genecorpus shards, BioNeMo's samples): flat columns of
 * int, float, bool and string, and single-level lists of ints ({@code input_ids}); PLAIN and dictionary encodings
 * (and RLE for booleans, which pyarrow writes in v2 pages), data pages v1 and v2, uncompressed, Snappy or gzip.
 * One row group becomes one batch. Anything else is refused with a clear message rather than misread: other
 * codecs and encodings, nested groups, and values whose annotation the physical type would misread (unsigned
 * 32/64-bit integers, decimals, dates, times, timestamps). ParquetTableTest reads each combination from pyarrow.
 */
final class ParquetTable implements DatasetReader {
    private static final int BOOLEAN = 0, INT32 = 1, INT64 = 2, FLOAT = 4, DOUBLE = 5, BYTE_ARRAY = 6;

    private final Path path;
    private final RandomAccessFile file;
    private final List<Map<Integer, Object>> rowGroups;
    private final List<Leaf> leaves = new ArrayList<>();
    private final List<Column> columns = new ArrayList<>();
    private int nextGroup;

    /** A top-level column: its physical leaf and how deep its levels go. */
    private record Leaf(String name, List<String> path, int physical, int maxDef, int maxRep, int listDef, ColumnType type) {
    }

    private ParquetTable(Path path) throws IOException {
        this.path = path;
        this.file = new RandomAccessFile(path.toFile(), "r");
        long len = file.length();
        byte[] tail = new byte[8];
        if (len < 12) throw new UserException(path + ": not a parquet file (too short)");
        file.seek(len - 8);
        file.readFully(tail);
        if (!"PAR1".equals(new String(tail, 4, 4, StandardCharsets.US_ASCII))) {
            throw new UserException(path + ": not a parquet file (no PAR1 footer; truncated?)");
        }
        int footerLen = ByteBuffer.wrap(tail, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        if (footerLen <= 0 || footerLen > len - 12) throw new UserException(path + ": corrupt parquet footer");
        byte[] footer = new byte[footerLen];
        file.seek(len - 8 - footerLen);
        file.readFully(footer);
        Map<Integer, Object> meta = new ThriftCompact(footer, 0).readStruct();
        List<Object> schema = ThriftCompact.list(meta, 2);
        parseSchema(schema);
        List<Map<Integer, Object>> groups = new ArrayList<>();
        for (Object g : ThriftCompact.list(meta, 4)) groups.add(cast(g));
        this.rowGroups = groups;
    }

    static ParquetTable open(Path path) {
        try {
            return new ParquetTable(path);
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserException u) throw u;
            throw new UserException(path + ": unreadable parquet file (" + e.getMessage() + ")", e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Object> cast(Object o) {
        return (Map<Integer, Object>) o;
    }

    private void parseSchema(List<Object> elements) {
        int[] at = {1};
        int roots = (int) ThriftCompact.i(cast(elements.get(0)), 5, 0);
        for (int r = 0; r < roots; r++) {
            Map<Integer, Object> top = cast(elements.get(at[0]++));
            String name = ThriftCompact.str(top, 4);
            int children = (int) ThriftCompact.i(top, 5, 0);
            int def = repetition(top) != 0 ? 1 : 0;
            if (children == 0) {
                int phys = (int) ThriftCompact.i(top, 1, -1);
                if (repetition(top) == 2) throw unsupported(name, "repeated primitive");
                addLeaf(name, List.of(name), phys, def, 0, -1, top);
                continue;
            }
            // LIST: optional group name (LIST) { repeated group list { optional element } }
            Map<Integer, Object> rep = cast(elements.get(at[0]++));
            if (repetition(rep) != 2 || ThriftCompact.i(rep, 5, 0) != 1) throw unsupported(name, "nested group");
            Map<Integer, Object> el = cast(elements.get(at[0]++));
            if (ThriftCompact.i(el, 5, 0) != 0 || children != 1) throw unsupported(name, "nested list");
            int listDef = def + 1;
            int maxDef = listDef + (repetition(el) != 0 ? 1 : 0);
            addLeaf(name, List.of(name, ThriftCompact.str(rep, 4), ThriftCompact.str(el, 4)),
                    (int) ThriftCompact.i(el, 1, -1), maxDef, 1, listDef, el);
        }
    }

    private static int repetition(Map<Integer, Object> el) {
        return (int) ThriftCompact.i(el, 3, 0);
    }

    private void addLeaf(String name, List<String> p, int phys, int maxDef, int maxRep, int listDef, Map<Integer, Object> el) {
        String misread = misreadAnnotation(el);
        if (misread != null) throw unsupported(name, misread);
        ColumnType t;
        if (maxRep == 1) {
            if (phys == INT32) t = ColumnType.INT32_LIST;
            else if (phys == INT64) t = ColumnType.INT64_LIST;
            else throw unsupported(name, "list of non-integers");
        } else {
            t = switch (phys) {
                case BOOLEAN -> ColumnType.BOOL;
                case INT32 -> ColumnType.INT32;
                case INT64 -> ColumnType.INT64;
                case FLOAT -> ColumnType.FLOAT32;
                case DOUBLE -> ColumnType.FLOAT64;
                case BYTE_ARRAY -> ColumnType.STRING;
                default -> throw unsupported(name, "physical type " + phys);
            };
        }
        leaves.add(new Leaf(name, p, phys, maxDef, maxRep, listDef, t));
        columns.add(new Column(name, t));
    }

    /**
     * The annotation of a leaf whose values its physical type alone would misread (unsigned 32/64-bit integers as
     * signed, decimals, dates and times as bare counts), or null. The converted type is what most writers set;
     * the logical type also covers those without one (nanosecond timestamps).
     */
    private static String misreadAnnotation(Map<Integer, Object> el) {
        String converted = switch ((int) ThriftCompact.i(el, 6, -1)) {
            case 5 -> "DECIMAL";
            case 6 -> "DATE";
            case 7, 8 -> "TIME";
            case 9, 10 -> "TIMESTAMP";
            case 13 -> "UINT_32 integer";
            case 14 -> "UINT_64 integer";
            case 20 -> "BSON";
            case 21 -> "INTERVAL";
            default -> null; // none, UTF8, ENUM, JSON, signed ints, UINT_8/16 (they fit a signed int32)
        };
        Map<Integer, Object> logical = ThriftCompact.struct(el, 10);
        if (converted != null || logical == null || logical.isEmpty()) return converted;
        int kind = logical.keySet().iterator().next(); // a union: one field set
        if (kind == 10) {
            Map<Integer, Object> integer = ThriftCompact.struct(logical, 10);
            long bits = ThriftCompact.i(integer, 1, 64);
            return Boolean.FALSE.equals(integer.get(2)) && bits >= 32 ? "UINT_" + bits + " integer" : null;
        }
        return switch (kind) {
            case 1, 4, 11, 12 -> null; // STRING, ENUM, UNKNOWN (all null), JSON
            case 5 -> "DECIMAL";
            case 6 -> "DATE";
            case 7 -> "TIME";
            case 8 -> "TIMESTAMP";
            default -> "logical type " + kind;
        };
    }

    private UserException unsupported(String col, String what) {
        return new UserException(path + ": column '" + col + "' is a " + what + ", which this parquet reader does not support");
    }

    @Override
    public List<Column> columns() {
        return columns;
    }

    @Override
    public boolean hasNext() {
        return nextGroup < rowGroups.size();
    }

    @Override
    public RowBatch next() {
        if (!hasNext()) throw new NoSuchElementException();
        int g = nextGroup++;
        Object[] out = new Object[leaves.size()];
        for (int c = 0; c < leaves.size(); c++) {
            out[c] = column(g, c);
        }
        return new RowBatch(rowGroupRows(g), out);
    }

    Path path() {
        return path;
    }

    int rowGroups() {
        return rowGroups.size();
    }

    int rowGroupRows(int group) {
        return Math.toIntExact(ThriftCompact.i(rowGroups.get(group), 3, 0));
    }

    /** One column of one row group, decoded as {@link RowBatch} holds it: what random access by row reads. */
    synchronized Object column(int group, int column) {
        Map<Integer, Object> g = rowGroups.get(group);
        try {
            return readChunk(leaves.get(column), cast(ThriftCompact.list(g, 1).get(column)), rowGroupRows(group));
        } catch (IOException | RuntimeException e) {
            if (e instanceof UserException u) throw u;
            throw new UserException(path + ": corrupt parquet data (" + e + ")", e);
        }
    }

    // ---- one column chunk -----------------------------------------------------------------------------

    private Object readChunk(Leaf leaf, Map<Integer, Object> chunk, int rows) throws IOException {
        Map<Integer, Object> md = ThriftCompact.struct(chunk, 3);
        int codec = (int) ThriftCompact.i(md, 4, 0);
        long numValues = ThriftCompact.i(md, 5, 0);
        long start = md.containsKey(11) ? Math.min(ThriftCompact.i(md, 11, 0), ThriftCompact.i(md, 9, 0)) : ThriftCompact.i(md, 9, 0);
        if (start <= 0) start = ThriftCompact.i(md, 9, 0);
        int size = Math.toIntExact(ThriftCompact.i(md, 7, 0));
        byte[] raw = new byte[size];
        file.seek(start);
        file.readFully(raw);

        Values dict = null;
        IntList rep = new IntList(), def = new IntList();
        Values values = new Values(leaf.physical);
        int pos = 0;
        long seen = 0;
        while (seen < numValues && pos < raw.length) {
            ThriftCompact t = new ThriftCompact(raw, pos);
            Map<Integer, Object> header = t.readStruct();
            pos = t.position();
            int type = (int) ThriftCompact.i(header, 1, -1);
            int uncompressed = (int) ThriftCompact.i(header, 2, 0);
            int compressed = (int) ThriftCompact.i(header, 3, 0);
            if (type == 2) {
                byte[] page = decompress(codec, raw, pos, compressed, uncompressed);
                Map<Integer, Object> dh = ThriftCompact.struct(header, 7);
                dict = new Values(leaf.physical);
                dict.readPlain(ByteBuffer.wrap(page).order(ByteOrder.LITTLE_ENDIAN), (int) ThriftCompact.i(dh, 1, 0));
            } else if (type == 0) {
                Map<Integer, Object> dh = ThriftCompact.struct(header, 5);
                int n = (int) ThriftCompact.i(dh, 1, 0);
                int enc = (int) ThriftCompact.i(dh, 2, 0);
                ByteBuffer page = ByteBuffer.wrap(decompress(codec, raw, pos, compressed, uncompressed)).order(ByteOrder.LITTLE_ENDIAN);
                int defsBefore = def.size;
                if (leaf.maxRep > 0) readLevels(page, page.getInt(), leaf.maxRep, n, rep);
                if (leaf.maxDef > 0) readLevels(page, page.getInt(), leaf.maxDef, n, def);
                readValues(page, enc, countPresent(leaf, def, defsBefore, n), dict, values);
                seen += n;
            } else if (type == 3) {
                Map<Integer, Object> dh = ThriftCompact.struct(header, 8);
                int n = (int) ThriftCompact.i(dh, 1, 0);
                int enc = (int) ThriftCompact.i(dh, 4, 0);
                int defLen = (int) ThriftCompact.i(dh, 5, 0);
                int repLen = (int) ThriftCompact.i(dh, 6, 0);
                boolean isCompressed = !Boolean.FALSE.equals(header.get(8) == null ? null : ThriftCompact.struct(header, 8).get(7));
                ByteBuffer levels = ByteBuffer.wrap(raw, pos, repLen + defLen).order(ByteOrder.LITTLE_ENDIAN);
                int defsBefore = def.size;
                if (leaf.maxRep > 0) readLevels(levels, repLen, leaf.maxRep, n, rep);
                if (leaf.maxDef > 0) readLevels(levels, defLen, leaf.maxDef, n, def);
                int dataOff = pos + repLen + defLen;
                int dataLen = compressed - repLen - defLen;
                byte[] data = isCompressed ? decompress(codec, raw, dataOff, dataLen, uncompressed - repLen - defLen)
                        : Arrays.copyOfRange(raw, dataOff, dataOff + dataLen);
                readValues(ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN), enc, countPresent(leaf, def, defsBefore, n), dict, values);
                seen += n;
            }
            pos += compressed;
        }
        return assemble(leaf, rows, rep, def, values, (int) numValues);
    }

    private static int countPresent(Leaf leaf, IntList def, int from, int n) {
        if (leaf.maxDef == 0) return n;
        int c = 0;
        for (int i = from; i < from + n; i++) if (def.a[i] == leaf.maxDef) c++;
        return c;
    }

    private byte[] decompress(int codec, byte[] raw, int off, int len, int uncompressed) throws IOException {
        return switch (codec) {
            case 0 -> Arrays.copyOfRange(raw, off, off + len);
            case 1 -> Snappy.decompress(raw, off, len);
            case 2 -> {
                try (GZIPInputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw, off, len))) {
                    ByteArrayOutputStream o = new ByteArrayOutputStream(uncompressed);
                    in.transferTo(o);
                    yield o.toByteArray();
                }
            }
            default -> throw new UserException(path + ": parquet compression codec " + codec
                    + " is not supported (use snappy, gzip or none)");
        };
    }

    private static void readLevels(ByteBuffer buf, int byteLen, int maxLevel, int n, IntList out) {
        int end = buf.position() + byteLen;
        int width = 32 - Integer.numberOfLeadingZeros(maxLevel);
        hybrid(buf, width, n, out);
        buf.position(end);
    }

    /** Parquet's RLE / bit-packed hybrid encoding of n small integers. */
    private static void hybrid(ByteBuffer buf, int width, int n, IntList out) {
        int target = out.size + n;
        int bytesPerValue = (width + 7) / 8;
        while (out.size < target) {
            int header = varint(buf);
            if ((header & 1) == 0) {
                int count = header >>> 1;
                int v = 0;
                for (int i = 0; i < bytesPerValue; i++) v |= (buf.get() & 0xff) << (8 * i);
                for (int i = 0; i < count && out.size < target; i++) out.add(v);
            } else {
                int count = (header >>> 1) * 8;
                long acc = 0;
                int bits = 0;
                for (int i = 0; i < count; i++) {
                    while (bits < width) {
                        acc |= (long) (buf.get() & 0xff) << bits;
                        bits += 8;
                    }
                    int v = (int) (acc & ((1L << width) - 1));
                    acc >>>= width;
                    bits -= width;
                    if (out.size < target) out.add(v);
                }
            }
        }
    }

    private static int varint(ByteBuffer buf) {
        int v = 0, shift = 0;
        while (true) {
            int b = buf.get() & 0xff;
            v |= (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
        }
    }

    private void readValues(ByteBuffer page, int encoding, int n, Values dict, Values out) {
        if (encoding == 0) {
            out.readPlain(page, n);
        } else if (encoding == 8 || encoding == 2) {
            if (dict == null) throw new UserException(path + ": dictionary-encoded page without a dictionary");
            int width = page.get() & 0xff;
            IntList idx = new IntList();
            if (n > 0) hybrid(page, width, n, idx);
            for (int i = 0; i < idx.size; i++) out.addFrom(dict, idx.a[i]);
        } else if (encoding == 3 && out.physical == BOOLEAN) {
            // what pyarrow writes for booleans in v2 data pages: a 4-byte length, then the hybrid at bit width 1
            int end = page.getInt() + page.position();
            IntList bits = new IntList();
            if (n > 0) hybrid(page, 1, n, bits);
            for (int i = 0; i < bits.size; i++) out.addLong(bits.a[i]);
            page.position(end);
        } else {
            throw new UserException(path + ": parquet value encoding " + encoding + " is not supported");
        }
    }

    private Object assemble(Leaf leaf, int rows, IntList rep, IntList def, Values v, int numValues) {
        if (leaf.maxRep == 0) {
            return v.toColumn(leaf.type, rows, leaf.maxDef == 0 ? null : def, leaf.maxDef);
        }
        int[][] out = new int[rows][];
        IntList cur = new IntList();
        int row = -1, vi = 0;
        for (int i = 0; i < numValues; i++) {
            if (rep.a[i] == 0) {
                if (row >= 0) out[row] = cur.toArray();
                row++;
                cur = new IntList();
            }
            int d = def.a[i];
            if (d == leaf.maxDef) cur.add(Math.toIntExact(v.longAt(vi++)));
            else if (d >= leaf.listDef) cur.add(0); // null element inside a list
        }
        if (row >= 0) out[row] = cur.toArray();
        for (int r = 0; r < rows; r++) if (out[r] == null) out[r] = new int[0];
        return out;
    }

    @Override
    public void close() {
        try {
            file.close();
        } catch (IOException ignored) {
            // read-only
        }
    }

    // ---- growable value holders ------------------------------------------------------------------------

    private static final class IntList {
        int[] a = new int[256];
        int size;

        void add(int v) {
            if (size == a.length) a = Arrays.copyOf(a, size * 2);
            a[size++] = v;
        }

        int[] toArray() {
            return Arrays.copyOf(a, size);
        }
    }

    private static final class Values {
        final int physical;
        long[] longs = new long[256];
        double[] doubles;
        List<String> strings;
        int size;

        Values(int physical) {
            this.physical = physical;
            if (physical == FLOAT || physical == DOUBLE) doubles = new double[256];
            if (physical == BYTE_ARRAY) strings = new ArrayList<>();
        }

        void readPlain(ByteBuffer b, int n) {
            switch (physical) {
                case INT32 -> { for (int i = 0; i < n; i++) addLong(b.getInt()); }
                case INT64 -> { for (int i = 0; i < n; i++) addLong(b.getLong()); }
                case FLOAT -> { for (int i = 0; i < n; i++) addDouble(b.getFloat()); }
                case DOUBLE -> { for (int i = 0; i < n; i++) addDouble(b.getDouble()); }
                case BOOLEAN -> {
                    int bit = 0, cur = 0;
                    for (int i = 0; i < n; i++) {
                        if (bit == 0) cur = b.get() & 0xff;
                        addLong((cur >>> bit) & 1);
                        bit = (bit + 1) & 7;
                    }
                }
                case BYTE_ARRAY -> {
                    for (int i = 0; i < n; i++) {
                        int len = b.getInt();
                        byte[] s = new byte[len];
                        b.get(s);
                        strings.add(new String(s, StandardCharsets.UTF_8));
                        size++;
                    }
                }
                default -> throw new IllegalStateException("physical type " + physical);
            }
        }

        void addLong(long v) {
            if (size == longs.length) longs = Arrays.copyOf(longs, size * 2);
            longs[size++] = v;
        }

        void addDouble(double v) {
            if (size == doubles.length) doubles = Arrays.copyOf(doubles, size * 2);
            doubles[size++] = v;
        }

        void addFrom(Values dict, int i) {
            if (strings != null) {
                strings.add(dict.strings.get(i));
                size++;
            } else if (doubles != null) addDouble(dict.doubles[i]);
            else addLong(dict.longs[i]);
        }

        long longAt(int i) {
            return longs[i];
        }

        Object toColumn(ColumnType type, int rows, IntList def, int maxDef) {
            int vi = 0;
            switch (type) {
                case INT64, INT32 -> {
                    long[] out = new long[rows];
                    for (int r = 0; r < rows; r++) out[r] = def == null || def.a[r] == maxDef ? longs[vi++] : 0;
                    if (type == ColumnType.INT64) return out;
                    int[] o = new int[rows];
                    for (int r = 0; r < rows; r++) o[r] = (int) out[r];
                    return o;
                }
                case FLOAT64, FLOAT32 -> {
                    double[] out = new double[rows];
                    for (int r = 0; r < rows; r++) out[r] = def == null || def.a[r] == maxDef ? doubles[vi++] : Double.NaN;
                    if (type == ColumnType.FLOAT64) return out;
                    float[] o = new float[rows];
                    for (int r = 0; r < rows; r++) o[r] = (float) out[r];
                    return o;
                }
                case BOOL -> {
                    boolean[] out = new boolean[rows];
                    for (int r = 0; r < rows; r++) out[r] = (def == null || def.a[r] == maxDef) && longs[vi++] != 0;
                    return out;
                }
                default -> {
                    String[] out = new String[rows];
                    for (int r = 0; r < rows; r++) out[r] = def == null || def.a[r] == maxDef ? strings.get(vi++) : null;
                    return out;
                }
            }
        }
    }
}
