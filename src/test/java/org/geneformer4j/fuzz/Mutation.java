package org.geneformer4j.fuzz;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * One damage done to a file's bytes. Positions are taken modulo the length, so one mutation applies to any file.
 * The kinds are what real damage and hostile edits look like: a flipped bit, a cut-off download, bytes added or
 * lost in the middle, and a length or offset field replaced by a value that points far beyond the file.
 */
record Mutation(Kind kind, int position, int value) {
    enum Kind { FLIP_BIT, SET_BYTE, TRUNCATE, INSERT, DELETE, BIG_INT32, BIG_INT64, BIG_DECIMAL }

    /** Values a corrupt length field takes: past the end, sign bits, all ones. */
    private static final long[] NASTY = {0, 1, -1, 0x7fffffffL, 0x80000000L, 0xffffffffL, 1L << 31 | 7, 1L << 40,
            Long.MAX_VALUE, Long.MIN_VALUE, 0x10000, 65535};

    /** The same for text formats (a count in a size line, a token id, a config value). */
    private static final String[] NASTY_TEXT = {"2147483647", "-1", "4294967296", "99999999999999999999", "1e308", "NaN",
            "-2147483648", "0"};

    byte[] apply(byte[] in) {
        if (in.length == 0) {
            return kind == Kind.INSERT ? new byte[] {(byte) value} : in;
        }
        int at = Math.floorMod(position, in.length);
        switch (kind) {
            case FLIP_BIT -> {
                byte[] out = in.clone();
                out[at] ^= (byte) (1 << Math.floorMod(value, 8));
                return out;
            }
            case SET_BYTE -> {
                byte[] out = in.clone();
                out[at] = (byte) value;
                return out;
            }
            case TRUNCATE -> {
                return Arrays.copyOf(in, at);
            }
            case INSERT -> {
                int n = 1 + Math.floorMod(value, 16);
                byte[] out = new byte[in.length + n];
                System.arraycopy(in, 0, out, 0, at);
                for (int i = 0; i < n; i++) out[at + i] = (byte) (value >>> (i % 4 * 8));
                System.arraycopy(in, at, out, at + n, in.length - at);
                return out;
            }
            case DELETE -> {
                int n = Math.min(in.length - at, 1 + Math.floorMod(value, 16));
                byte[] out = new byte[in.length - n];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(in, at + n, out, at, in.length - at - n);
                return out;
            }
            case BIG_INT32, BIG_INT64 -> {
                byte[] out = in.clone();
                long v = NASTY[Math.floorMod(value, NASTY.length)];
                int width = kind == Kind.BIG_INT32 ? 4 : 8;
                ByteBuffer b = ByteBuffer.allocate(8).order(value < 0 ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
                b.putLong(v);
                byte[] bytes = b.array();
                for (int i = 0; i < width && at + i < out.length; i++) out[at + i] = bytes[value < 0 ? 8 - width + i : i];
                return out;
            }
            case BIG_DECIMAL -> {
                byte[] digits = NASTY_TEXT[Math.floorMod(value, NASTY_TEXT.length)].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                byte[] out = new byte[in.length + digits.length];
                System.arraycopy(in, 0, out, 0, at);
                System.arraycopy(digits, 0, out, at, digits.length);
                System.arraycopy(in, at, out, at + digits.length, in.length - at);
                return out;
            }
            default -> throw new AssertionError(kind);
        }
    }
}
