package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.model.FixtureWeights;
import org.junit.jupiter.api.Test;

/**
 * NF4 against the numpy reference (fixtures/quant/nf4.safetensors, scripts/fixtures/make_quant_fixtures.py): the
 * same 4-bit codes, absmax codes, nested absmaxes, offset and dequantized weights, bit for bit, on uniform and
 * near-zero-crowded weights and on the edge cases (a zero block, values on every midpoint, an odd count).
 */
class Nf4Test {
    static final Map<String, HostTensor> FIX = SafeTensors.read(TestData.resource("fixtures/quant/nf4.safetensors"));

    static float[] weight(String name) {
        return switch (name) {
            case "uniform" -> FixtureWeights.tensor("nf4.uniform.weight", new long[] {160, 128}).floats();
            case "cubed" -> {
                float[] c = FixtureWeights.tensor("nf4.cubed.weight", new long[] {96, 80}).floats();
                for (int i = 0; i < c.length; i++) {
                    c[i] = c[i] * c[i] * c[i] * 80f;
                }
                yield c;
            }
            default -> FIX.get("edge.input").floats();
        };
    }

    static byte[] bytes(String key) {
        long[] v = FIX.get(key).longs();
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }

    @Test
    void theJavaCodebooksAreTheReferences() {
        assertArrayEquals(FIX.get("nf4").floats(), Nf4.CODE);
        assertArrayEquals(FIX.get("dynamic_map").floats(), Nf4.DYNAMIC_MAP);
    }

    @Test
    void codesAbsmaxesAndDequantizedWeightsEqualTheReferenceBitForBit() {
        for (String name : new String[] {"uniform", "cubed", "edge"}) {
            float[] w = weight(name);
            Nf4.Quantized q = Nf4.quantize(w, w.length);
            assertArrayEquals(bytes(name + ".packed"), q.packed(), name + ": 4-bit codes");
            assertArrayEquals(bytes(name + ".absmax_codes"), q.absmaxCodes(), name + ": absmax codes");
            assertArrayEquals(FIX.get(name + ".absmax2").floats(), q.absmax2(), name + ": nested absmaxes");
            assertEquals(FIX.get(name + ".offset").floats()[0], q.offset(), name + ": offset");
            assertArrayEquals(FIX.get(name + ".dequantized").floats(), Nf4.dequantize(q), name + ": dequantized");
        }
    }

    @Test
    void theEdgeCasesCodeAsBitsandbytesDoes() {
        Nf4.Quantized q = Nf4.quantize(weight("edge"), 129);
        // an all-zero block codes as 0.0 (7), not as NaN's -1 (0)
        for (int i = 0; i < 32; i++) {
            assertEquals((byte) 0x77, q.packed()[i]);
        }
        // the first value of block 1 lies on the midpoint of codes 0 and 1: the lower code
        assertEquals(0, (q.packed()[32] & 0xff) >>> 4);
        // 129 values: the last byte holds the tail value and the pad, the code of 0.0
        assertEquals(65, q.packed().length);
        assertEquals(7, q.packed()[64] & 15);
        assertEquals(0, (q.packed()[64] & 0xff) >>> 4, "-0.3 alone in its block is its own absmax: -1");
    }

    /**
     * The error bound: every weight within half the widest NF4 gap (0.1385) of its block's absmax, plus what the
     * 8-bit absmax costs (|code| <= 1 times the absmax's own error).
     */
    @Test
    void dequantizationErrorWithinHalfTheWidestGapOfEachBlock() {
        float halfGap = 0;
        for (int i = 1; i < Nf4.CODE.length; i++) {
            halfGap = Math.max(halfGap, (Nf4.CODE[i] - Nf4.CODE[i - 1]) / 2);
        }
        for (String name : new String[] {"uniform", "cubed"}) {
            float[] w = weight(name);
            Nf4.Quantized q = Nf4.quantize(w, w.length);
            float[] back = Nf4.dequantize(q);
            float[] absmaxQ = Nf4.absmax(q);
            double worst = 0;
            for (int b = 0; b < w.length / Nf4.BLOCK; b++) {
                float absmax = 0;
                for (int i = b * 64; i < b * 64 + 64; i++) {
                    absmax = Math.max(absmax, Math.abs(w[i]));
                }
                double bound = halfGap * absmax + Math.abs(absmax - absmaxQ[b]) + 1e-7 * absmax;
                for (int i = b * 64; i < b * 64 + 64; i++) {
                    worst = Math.max(worst, Math.abs(w[i] - back[i]) / bound);
                }
            }
            assertTrue(worst <= 1, name + ": worst error " + worst + " of the bound");
            assertTrue(worst > 0.5, name + ": the bound is approached: " + worst);
            assertEquals(w.length / 2 + w.length / 64 + 4 * ((w.length / 64 + 255) / 256) + 4, q.bytes());
        }
    }
    /** The exponent-bucket exact mean is the BigDecimal one, bit for bit, over magnitudes, signs and subnormals. */
    @Test
    void exactMeanMatchesBigDecimal() {
        java.util.Random r = new java.util.Random(17);
        for (int trial = 0; trial < 200; trial++) {
            float[] a = new float[1 + r.nextInt(3000)];
            for (int i = 0; i < a.length; i++) {
                a[i] = switch (r.nextInt(5)) {
                    case 0 -> Float.intBitsToFloat(r.nextInt()) ; // any bits: huge, tiny, subnormal, either sign
                    case 1 -> Float.MIN_VALUE * r.nextInt(1 << 23);
                    case 2 -> 0f;
                    default -> (float) Math.abs(r.nextGaussian() * 0.05);
                };
                if (!Float.isFinite(a[i])) {
                    a[i] = 1f;
                }
            }
            assertEquals(Float.floatToIntBits(Nf4.exactMeanBig(a)), Float.floatToIntBits(Nf4.exactMean(a)), "trial " + trial);
        }
        float[] mixed = {1e30f, -1e30f, 3e-45f};
        assertEquals(Nf4.exactMeanBig(mixed), Nf4.exactMean(mixed));
    }
}
