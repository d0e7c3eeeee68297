package org.geneformer4j.embed;

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
}
