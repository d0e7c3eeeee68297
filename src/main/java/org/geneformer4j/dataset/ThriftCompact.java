package org.geneformer4j.dataset;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A decoder of Thrift's compact protocol into plain values: a struct becomes a map from field id to value, a
 * list a {@code List}, binaries {@code byte[]}. Parquet's footer and page headers are written this way; reading
 * them generically keeps the parquet reader free of generated code.
 */
final class ThriftCompact {
    private final byte[] buf;
    private int pos;

    ThriftCompact(byte[] buf, int pos) {
        this.buf = buf;
        this.pos = pos;
    }

    int position() {
        return pos;
    }

    Map<Integer, Object> readStruct() {
        Map<Integer, Object> fields = new HashMap<>();
        int last = 0;
        while (true) {
            int b = buf[pos++] & 0xff;
            if (b == 0) {
                return fields;
            }
            int type = b & 0x0f;
            int delta = b >>> 4;
            int id = delta == 0 ? (int) zigzag(varint()) : last + delta;
            last = id;
            fields.put(id, readValue(type));
        }
    }

    private Object readValue(int type) {
        return switch (type) {
            case 1 -> Boolean.TRUE;
            case 2 -> Boolean.FALSE;
            case 3 -> (long) buf[pos++];
            case 4, 5, 6 -> zigzag(varint());
            case 7 -> {
                long bits = 0;
                for (int i = 0; i < 8; i++) bits |= (buf[pos++] & 0xffL) << (8 * i);
                yield Double.longBitsToDouble(bits);
            }
            case 8 -> {
                int len = (int) varint();
                byte[] b = java.util.Arrays.copyOfRange(buf, pos, pos + len);
                pos += len;
                yield b;
            }
            case 9, 10 -> {
                int h = buf[pos++] & 0xff;
                int size = h >>> 4;
                if (size == 15) size = (int) varint();
                int et = h & 0x0f;
                List<Object> list = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    list.add(et == 1 || et == 2 ? (buf[pos++] == 1) : readValue(et));
                }
                yield list;
            }
            case 11 -> {
                int size = (int) varint();
                Map<Object, Object> map = new HashMap<>();
                if (size > 0) {
                    int kv = buf[pos++] & 0xff;
                    for (int i = 0; i < size; i++) {
                        Object k = readValue(kv >>> 4);
                        map.put(k instanceof byte[] bk ? new String(bk, StandardCharsets.UTF_8) : k, readValue(kv & 0x0f));
                    }
                }
                yield map;
            }
            case 12 -> readStruct();
            default -> throw new IllegalStateException("unknown thrift compact type " + type + " at " + pos);
        };
    }

    private long varint() {
        long v = 0;
        int shift = 0;
        while (true) {
            int b = buf[pos++] & 0xff;
            v |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) return v;
            shift += 7;
        }
    }

    private static long zigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }

    static long i(Map<Integer, Object> s, int id, long dflt) {
        Object v = s.get(id);
        return v == null ? dflt : (Long) v;
    }

    static String str(Map<Integer, Object> s, int id) {
        Object v = s.get(id);
        return v == null ? null : new String((byte[]) v, StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Map<Integer, Object> struct(Map<Integer, Object> s, int id) {
        return (Map<Integer, Object>) s.get(id);
    }

    @SuppressWarnings("unchecked")
    static List<Object> list(Map<Integer, Object> s, int id) {
        Object v = s.get(id);
        return v == null ? List.of() : (List<Object>) v;
    }
}
