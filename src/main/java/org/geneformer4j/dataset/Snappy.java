package org.geneformer4j.dataset;

/** Decompresses a raw Snappy block (the format parquet pages use; not the framed stream format). */
final class Snappy {
    private Snappy() {
    }

    static byte[] decompress(byte[] in, int off, int len) {
        int end = off + len;
        int p = off;
        long size = 0;
        int shift = 0;
        while (true) {
            int b = in[p++] & 0xff;
            size |= (long) (b & 0x7f) << shift;
            if ((b & 0x80) == 0) break;
            shift += 7;
        }
        byte[] out = new byte[Math.toIntExact(size)];
        int o = 0;
        while (p < end) {
            int tag = in[p++] & 0xff;
            switch (tag & 3) {
                case 0 -> {
                    int l = tag >>> 2;
                    if (l >= 60) {
                        int bytes = l - 59;
                        l = 0;
                        for (int i = 0; i < bytes; i++) l |= (in[p++] & 0xff) << (8 * i);
                    }
                    l += 1;
                    System.arraycopy(in, p, out, o, l);
                    p += l;
                    o += l;
                }
                case 1 -> {
                    int l = 4 + ((tag >>> 2) & 7);
                    int offset = ((tag >>> 5) << 8) | (in[p++] & 0xff);
                    o = copy(out, o, offset, l);
                }
                case 2 -> {
                    int l = (tag >>> 2) + 1;
                    int offset = (in[p] & 0xff) | (in[p + 1] & 0xff) << 8;
                    p += 2;
                    o = copy(out, o, offset, l);
                }
                default -> {
                    int l = (tag >>> 2) + 1;
                    int offset = (in[p] & 0xff) | (in[p + 1] & 0xff) << 8 | (in[p + 2] & 0xff) << 16 | (in[p + 3] & 0xff) << 24;
                    p += 4;
                    o = copy(out, o, offset, l);
                }
            }
        }
        if (o != out.length) {
            throw new IllegalStateException("snappy: expected " + out.length + " bytes, got " + o);
        }
        return out;
    }

    private static int copy(byte[] out, int o, int offset, int len) {
        if (offset <= 0 || offset > o) {
            throw new IllegalStateException("snappy: bad copy offset " + offset);
        }
        for (int i = 0; i < len; i++) out[o + i] = out[o - offset + i]; // may overlap: byte by byte
        return o + len;
    }
}
