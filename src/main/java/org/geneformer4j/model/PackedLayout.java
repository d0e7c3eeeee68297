package org.geneformer4j.model;

import org.geneformer4j.tensor.Tensors;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Cells concatenated end to end without padding: cell {@code i} holds tokens {@code offsets[i] .. offsets[i+1]-1}
 * of the packed batch. Every per-token operation of the model runs on the packed tokens as they are; only
 * attention needs the boundaries ({@link PackedAttention}).
 */
public record PackedLayout(long[] offsets, int maxLength) {
    /** The layout of cells of these lengths, in this order. */
    public static PackedLayout of(int[] lengths) {
        long[] off = new long[lengths.length + 1];
        int max = 0;
        for (int i = 0; i < lengths.length; i++) {
            off[i + 1] = off[i] + lengths[i];
            max = Math.max(max, lengths[i]);
        }
        return new PackedLayout(off, max);
    }

    public int cells() {
        return offsets.length - 1;
    }

    public long tokens() {
        return offsets[offsets.length - 1];
    }

    public int length(int cell) {
        return (int) (offsets[cell + 1] - offsets[cell]);
    }

    /** Each token's position inside its cell (position embeddings count from 0 in every cell). */
    public long[] positions() {
        long[] p = new long[(int) tokens()];
        for (int c = 0; c < cells(); c++) {
            for (long j = offsets[c]; j < offsets[c + 1]; j++) {
                p[(int) j] = j - offsets[c];
            }
        }
        return p;
    }

    /** The first token of every cell ([cells], int64 on {@code device}): where {@code <cls>} sits. */
    public Tensor starts(Device device) {
        return Tensors.longs(Arrays.copyOf(offsets, cells()), cells()).to(device, ScalarType.Long);
    }

    /** The cumulative lengths as the attention kernels take them ([cells + 1], int32 on {@code device}). */
    public Tensor cumulative(Device device) {
        return Tensors.longs(offsets, offsets.length).to(device, ScalarType.Int);
    }
}
