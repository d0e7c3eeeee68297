package org.geneformer4j.engine;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.BertOutput;
import org.geneformer4j.model.PackedLayout;
import org.geneformer4j.tensor.Tensors;

/**
 * Cells as model inputs; every stage builds its batches here, for inference ({@link Batch}) and training alike.
 * Padded: the cells padded on the right to the longest, {@code ids} and the attention {@code mask} (1 token,
 * 0 padding) row-major [rows, length], {@code layout} null. Packed: the cells end to end without padding, one row of
 * all their tokens, {@code mask} holding each token's position in its cell, and the {@link PackedLayout}.
 */
public record TokenBatch(long[] ids, long[] mask, int rows, int length, PackedLayout layout) {
    /** Padded. */
    public static TokenBatch of(List<int[]> cells, int pad) {
        return of(cells, pad, false);
    }

    public static TokenBatch of(List<int[]> cells, int pad, boolean packed) {
        if (packed) {
            PackedLayout layout = PackedLayout.of(cells.stream().mapToInt(c -> c.length).toArray());
            long[] ids = new long[(int) layout.tokens()];
            int at = 0;
            for (int[] c : cells) {
                for (int t : c) {
                    ids[at++] = t;
                }
            }
            return new TokenBatch(ids, layout.positions(), 1, ids.length, layout);
        }
        int longest = 0;
        for (int[] c : cells) {
            longest = Math.max(longest, c.length);
        }
        long[] ids = new long[cells.size() * longest];
        long[] mask = new long[ids.length];
        Arrays.fill(ids, pad);
        for (int r = 0; r < cells.size(); r++) {
            int[] t = cells.get(r);
            for (int j = 0; j < t.length; j++) {
                ids[r * longest + j] = t[j];
                mask[r * longest + j] = 1;
            }
        }
        return new TokenBatch(ids, mask, cells.size(), longest, null);
    }

    public boolean packed() {
        return layout != null;
    }

    /**
     * Where token {@code j} of cell {@code r} sits in per-token outputs (hidden states, a token head's logits)
     * flattened over their positions: {@code r x length + j} padded, the cell's packed offset + j packed.
     */
    public long position(int r, int j) {
        return layout != null ? layout.offsets()[r] + j : (long) r * length + j;
    }

    /** Positions of per-token outputs: rows x length padded, the real tokens packed. */
    public int positions() {
        return rows * length;
    }

    /** [rows, length] padded, [tokens] packed. */
    public Tensor idsTensor(Device device) {
        return input(ids, device);
    }

    /** The attention mask [rows, length] padded; each token's position in its cell [tokens] packed. */
    public Tensor maskTensor(Device device) {
        return input(mask, device);
    }

    private Tensor input(long[] values, Device device) {
        Tensor t = layout != null ? Tensors.longs(values, values.length) : Tensors.longs(values, rows, length);
        return t.to(device, ScalarType.Long);
    }

    /** Runs {@code model} with its head (no hidden states or attentions kept; {@link BertModel#forwardPacked} packed). */
    public BertOutput forward(BertModel model) {
        Device d = model.device();
        if (layout != null) {
            return model.forwardPacked(idsTensor(d), maskTensor(d), layout, layout.cumulative(d), model.config().numLayers());
        }
        return model.forward(idsTensor(d), maskTensor(d), false, false);
    }

    /** The last layer's hidden states without the head: [rows, length, hidden] padded, [tokens, hidden] packed. */
    public Tensor encode(BertModel model) {
        Device d = model.device();
        if (layout != null) {
            return model.encodePacked(idsTensor(d), maskTensor(d), layout, layout.cumulative(d));
        }
        return model.encode(idsTensor(d), maskTensor(d));
    }
}
