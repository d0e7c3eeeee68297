package org.geneformer4j.model;

import org.geneformer4j.checkpoint.DType;
import org.geneformer4j.checkpoint.HostTensor;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The deterministic weights of scripts/fixtures/fixture_weights.py, regenerated bit for bit, so that real-size
 * models need not be committed: only transformers' outputs for them are.
 */
public final class FixtureWeights {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private FixtureWeights() {}

    static long fnv1a64(String s) {
        long h = 0xCBF29CE484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xff;
            h *= 0x100000001B3L;
        }
        return h;
    }

    public static HostTensor tensor(String name, long[] shape) {
        float scale;
        float offset = 0f;
        if (name.endsWith("LayerNorm.weight")) {
            scale = 0.1f;
            offset = 1f;
        } else if (name.endsWith("LayerNorm.bias")) {
            scale = 0.05f;
        } else if (name.endsWith("bias")) {
            scale = 0.02f;
        } else {
            scale = 0.035f;
        }
        int n = Math.toIntExact(HostTensor.numel(shape));
        ByteBuffer b = ByteBuffer.allocateDirect(n * 4).order(ByteOrder.LITTLE_ENDIAN);
        long seed = fnv1a64(name);
        for (int i = 0; i < n; i++) {
            long z = seed + (i + 1L) * GOLDEN;
            z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
            z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
            z = z ^ (z >>> 31);
            float u = (float) (z >>> 40) * 0x1p-23f - 1f;
            b.putFloat(i * 4, u * scale + offset);
        }
        return new HostTensor(DType.F32, shape, b);
    }

    /** All parameters of a BertForMaskedLM with this config (no decoder weight: it is tied). */
    public static Map<String, HostTensor> bertForMaskedLm(BertConfig config) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        BertModel.expectedShapes(config, Head.MLM, 0).forEach((k, s) -> out.put(k, tensor(k, s)));
        return out;
    }
}
