package org.geneformer4j.engine;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * Cell embeddings from a layer's hidden states, as upstream's {@code get_embs}: {@code cls} takes position 0;
 * {@code cell} averages the gene positions, which for V2 inputs excludes {@code <cls>} (first) and {@code <eos>}
 * (last non-pad position).
 */
public final class Pooling {
    private Pooling() {}

    /** [batch, hidden]: the embedding at position 0. */
    public static Tensor cls(Tensor hidden) {
        return hidden.select(1, 0);
    }

    /**
     * [batch, hidden]: mean over positions {@code skipFirst .. length-1-skipLast} of each row.
     *
     * @param lengths [batch] int64 on the hidden states' device: tokens per row including special tokens
     */
    public static Tensor mean(Tensor hidden, Tensor lengths, boolean skipFirst, boolean skipLast) {
        long len = hidden.size(1);
        Tensor pos = torch.arange(new Scalar(len), new org.bytedeco.pytorch.TensorOptions(ScalarType.Long)
                .device(new org.bytedeco.pytorch.DeviceOptional(hidden.device()))).unsqueeze(0);
        Tensor lo = torch.full_like(lengths, new Scalar(skipFirst ? 1L : 0L)).unsqueeze(1);
        Tensor hi = lengths.sub(new Scalar(skipLast ? 1L : 0L)).unsqueeze(1);
        Tensor keep = pos.ge(lo).logical_and(pos.lt(hi));
        Tensor count = keep.sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional(ScalarType.Float))
                .unsqueeze(1);
        Tensor summed = hidden.to(ScalarType.Float).mul(keep.unsqueeze(2).to(ScalarType.Float))
                .sum(new long[] {1}, false, new org.bytedeco.pytorch.ScalarTypeOptional());
        return summed.div(count);
    }

    /** [cells, hidden]: the first token of each cell of a packed batch ([tokens, hidden]). */
    public static Tensor cls(Tensor hidden, org.geneformer4j.model.PackedLayout layout) {
        return hidden.index_select(0, layout.starts(hidden.device()));
    }

    /** {@link #mean} for a packed batch ([tokens, hidden]): each cell's mean over its positions, skipping as there. */
    public static Tensor mean(Tensor hidden, org.geneformer4j.model.PackedLayout layout, boolean skipFirst, boolean skipLast) {
        int n = (int) layout.tokens();
        long[] cell = new long[n];
        float[] keep = new float[n];
        float[] count = new float[layout.cells()];
        for (int c = 0; c < layout.cells(); c++) {
            long from = layout.offsets()[c] + (skipFirst ? 1 : 0);
            long to = layout.offsets()[c + 1] - (skipLast ? 1 : 0);
            for (long j = layout.offsets()[c]; j < layout.offsets()[c + 1]; j++) {
                cell[(int) j] = c;
                keep[(int) j] = j >= from && j < to ? 1f : 0f;
            }
            count[c] = Math.max(0, to - from);
        }
        var dev = hidden.device();
        Tensor index = org.geneformer4j.tensor.Tensors.longs(cell, n).to(dev, ScalarType.Long);
        Tensor weights = org.geneformer4j.tensor.Tensors.floats(keep, n, 1).to(dev, ScalarType.Float);
        Tensor counts = org.geneformer4j.tensor.Tensors.floats(count, layout.cells(), 1).to(dev, ScalarType.Float);
        Tensor summed = torch.zeros(new long[] {layout.cells(), hidden.size(1)}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Float)
                .device(new org.bytedeco.pytorch.DeviceOptional(dev)));
        summed.index_add_(0, index, hidden.to(ScalarType.Float).mul(weights));
        return summed.div(counts);
    }
}
