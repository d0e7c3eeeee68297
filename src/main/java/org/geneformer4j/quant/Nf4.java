package org.geneformer4j.quant;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;

/**
 * bitsandbytes' NF4 with double quantization (QLoRA's {@code bnb_4bit_quant_type="nf4"},
 * {@code bnb_4bit_use_double_quant=True}), in plain Java so that the codes are the numpy reference's bit for bit
 * ({@code scripts/fixtures/nf4_reference.py}, which states the rules). Every operation is one float32 rounding in the
 * reference's order; the only choice of ours is the offset, the float32 rounding of the exact mean of the absmaxes.
 */
public final class Nf4 {
    /** Weights per 4-bit block, each with its absmax. */
    public static final int BLOCK = 64;
    /** Absmaxes per block of the double quantization. */
    public static final int NESTED_BLOCK = 256;

    /** The 16 NormalFloat values (bitsandbytes' {@code get_4bit_type("nf4")}). */
    public static final float[] CODE = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
            -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f, 0.07958029955625534f,
            0.16093020141124725f, 0.24611230194568634f, 0.33791524171829224f, 0.44070982933044434f,
            0.5626170039176941f, 0.7229568362236023f, 1.0f};

    /** The code of 0.0, which pads an odd count. */
    static final int ZERO_CODE = 7;

    /** bitsandbytes' 8-bit signed dynamic map, which the absmaxes are quantized to. */
    public static final float[] DYNAMIC_MAP = readMap();

    private static final float[] CODE_BOUNDS = midpoints(CODE);
    private static final float[] MAP_BOUNDS = midpoints(DYNAMIC_MAP);

    private Nf4() {}

    /**
     * One weight in NF4: {@code packed} two codes a byte, the first of each pair in the high nibble; one 8-bit code
     * per 64-block absmax; one float absmax per 256 of those; the offset subtracted before quantizing the absmaxes.
     */
    public record Quantized(byte[] packed, byte[] absmaxCodes, float[] absmax2, float offset, long[] shape) {
        public int numel() {
            long n = 1;
            for (long s : shape) {
                n *= s;
            }
            return Math.toIntExact(n);
        }

        /** Bytes stored: what the weight costs in memory (about 0.516 bytes per weight). */
        public long bytes() {
            return packed.length + absmaxCodes.length + absmax2.length * 4L + 4;
        }
    }

    /** The double quantization of a weight's 64-block absmaxes: their 8-bit codes, one absmax per 256, the offset. */
    public record Nested(byte[] codes, float[] absmax2, float offset) {}

    /** Double-quantizes the absmaxes of the 64-blocks: offset by their exact mean, blocks of 256 on the dynamic map. */
    public static Nested quantizeAbsmax(float[] absmax) {
        float offset = exactMean(absmax);
        float[] centred = new float[absmax.length];
        for (int i = 0; i < centred.length; i++) {
            centred[i] = absmax[i] - offset;
        }
        byte[] codes = new byte[absmax.length];
        float[] absmax2 = quantizeBlocks(centred, MAP_BOUNDS, NESTED_BLOCK, codes);
        return new Nested(codes, absmax2, offset);
    }

    /** Quantizes {@code w} (row-major values of a tensor of {@code shape}). */
    public static Quantized quantize(float[] w, long... shape) {
        int n = w.length;
        byte[] codes = new byte[n + (n & 1)];
        float[] absmax = quantizeBlocks(w, CODE_BOUNDS, BLOCK, codes);
        if ((n & 1) == 1) {
            codes[n] = ZERO_CODE;
        }
        byte[] packed = new byte[codes.length / 2];
        for (int i = 0; i < packed.length; i++) {
            packed[i] = (byte) ((codes[2 * i] << 4) | codes[2 * i + 1]);
        }
        Nested nested = quantizeAbsmax(absmax);
        return new Quantized(packed, nested.codes(), nested.absmax2(), nested.offset(), shape.clone());
    }

    /**
     * Each value's index into a sorted code with midpoints {@code bounds}, block by block: x = v / absmax (as
     * {@code v * (1 / max(absmax, 1e-38))}, clipped to [-1, 1]) takes the index of the first midpoint not below it,
     * so a value on a midpoint takes the lower code (torch.bucketize). Returns each block's absmax.
     */
    static float[] quantizeBlocks(float[] a, float[] bounds, int blocksize, byte[] out) {
        int blocks = (a.length + blocksize - 1) / blocksize;
        float[] absmax = new float[blocks];
        for (int b = 0; b < blocks; b++) {
            int start = b * blocksize;
            int end = Math.min(start + blocksize, a.length);
            float m = 0f;
            for (int i = start; i < end; i++) {
                m = Math.max(m, Math.abs(a[i]));
            }
            absmax[b] = m;
            float inv = 1f / Math.max(m, 1e-38f);
            for (int i = start; i < end; i++) {
                float x = Math.min(1f, Math.max(-1f, a[i] * inv));
                out[i] = (byte) firstNotBelow(bounds, x);
            }
        }
        return absmax;
    }

    /** The number of bounds strictly below x (numpy's searchsorted, side="left"). */
    private static int firstNotBelow(float[] bounds, float x) {
        int lo = 0;
        int hi = bounds.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (bounds[mid] < x) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static float[] midpoints(float[] code) {
        float[] b = new float[code.length - 1];
        for (int i = 0; i < b.length; i++) {
            b[i] = (code[i] + code[i + 1]) / 2f;
        }
        return b;
    }

    /** The float32 rounding of the exact mean (Python's {@code math.fsum(a) / n} rounded to float32). */
    static float exactMean(float[] a) {
        // Exactly, without a BigDecimal per value (a model's worth of those was hundreds of MB of garbage that grew
        // the Java heap while quantizing): each finite float is m x 2^(e-150) with integer m < 2^24, so the values of
        // each exponent field are summed as integers in a long, and the 255 sums joined in one BigInteger.
        long[] byExponent = new long[255];
        for (float v : a) {
            int bits = Float.floatToRawIntBits(v);
            int e = (bits >>> 23) & 0xff;
            if (e == 0xff) {
                return exactMeanBig(a); // NaN or infinity: as before (BigDecimal refuses them)
            }
            long m = e == 0 ? bits & 0x7fffff : (bits & 0x7fffff) | 0x800000;
            byExponent[Math.max(e, 1)] += bits < 0 ? -m : m;
        }
        BigInteger sum = BigInteger.ZERO; // in units of 2^-149, the smallest subnormal
        for (int e = 1; e < byExponent.length; e++) {
            if (byExponent[e] != 0) {
                sum = sum.add(BigInteger.valueOf(byExponent[e]).shiftLeft(e - 1));
            }
        }
        // BigInteger.doubleValue rounds correctly and the scaling by 2^-149 is exact (far above double's subnormals),
        // so this is the BigDecimal sum's doubleValue
        return (float) (Math.scalb(sum.doubleValue(), -149) / a.length);
    }

    /** The exact mean by BigDecimal: the definition {@link #exactMean} follows. */
    static float exactMeanBig(float[] a) {
        BigDecimal sum = BigDecimal.ZERO;
        for (float v : a) {
            sum = sum.add(new BigDecimal(v));
        }
        return (float) (sum.doubleValue() / a.length);
    }

    /** The 64-block absmaxes back from their 8-bit codes: {@code map[code] * absmax2 + offset}, in float32. */
    public static float[] absmax(Quantized q) {
        float[] out = new float[q.absmaxCodes().length];
        for (int i = 0; i < out.length; i++) {
            out[i] = DYNAMIC_MAP[q.absmaxCodes()[i] & 0xff] * q.absmax2()[i / NESTED_BLOCK] + q.offset();
        }
        return out;
    }

    /** The weight the codes stand for: {@code nf4[code] * absmax}, row-major. */
    public static float[] dequantize(Quantized q) {
        float[] absmax = absmax(q);
        int n = q.numel();
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
            int b = q.packed()[i >> 1] & 0xff;
            int code = (i & 1) == 0 ? b >>> 4 : b & 15;
            out[i] = CODE[code] * absmax[i / BLOCK];
        }
        return out;
    }

    private static float[] readMap() {
        float[] map = new float[256];
        int n = 0;
        try (InputStream in = Nf4.class.getResourceAsStream("dynamic_map_signed.txt");
                BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (!line.startsWith("#") && !line.isBlank()) {
                    map[n++] = Float.intBitsToFloat(Integer.parseUnsignedInt(line.substring(0, 8), 16));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (n != 256) {
            throw new IllegalStateException("the dynamic map resource holds " + n + " values, not 256");
        }
        return map;
    }
}
