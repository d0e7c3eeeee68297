package org.geneformer4j.engine;

import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.BertOutput;
import org.geneformer4j.tensor.Tensors;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** Cells padded on the right to the longest of the batch, with the attention mask (1 token, 0 padding), row-major. */
public record TokenBatch(long[] ids, long[] mask, int rows, int length) {
    public static TokenBatch of(List<int[]> cells, int pad) {
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
        return new TokenBatch(ids, mask, cells.size(), longest);
    }

    public Tensor idsTensor(Device device) {
        return Tensors.longs(ids, rows, length).to(device, org.bytedeco.pytorch.global.torch.ScalarType.Long);
    }

    public Tensor maskTensor(Device device) {
        return Tensors.longs(mask, rows, length).to(device, org.bytedeco.pytorch.global.torch.ScalarType.Long);
    }

    /** Runs {@code model} on the batch (no hidden states or attentions kept). */
    public BertOutput forward(BertModel model) {
        return model.forward(idsTensor(model.device()), maskTensor(model.device()), false, false);
    }
}
