package org.geneformer4j.model;

import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;

/** Cells padded on the right to the longest of the batch, with the attention mask (1 token, 0 padding), row-major. */
public record TokenBatch(long[] ids, long[] mask, int rows, int length) {
    /**
     * Length-bucketed batches of cells given by their lengths: longest first (ties in index order, as upstream
     * sorts), cut into batches of at most {@code batchSize} cells and {@code maxTokens} padded tokens, so padding
     * is only ever to the longest cell of a batch of similar lengths. Returns the cells' indices, batch by batch.
     */
    public static List<int[]> plan(int[] lengths, int batchSize, long maxTokens) {
        Integer[] order = new Integer[lengths.length];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> lengths[a] != lengths[b] ? Integer.compare(lengths[b], lengths[a]) : Integer.compare(a, b));
        List<int[]> out = new java.util.ArrayList<>();
        int from = 0;
        while (from < order.length) {
            int longest = lengths[order[from]];
            int to = from + 1;
            while (to < order.length && to - from < batchSize && (long) longest * (to - from + 1) <= maxTokens) {
                to++;
            }
            int[] batch = new int[to - from];
            for (int i = from; i < to; i++) {
                batch[i - from] = order[i];
            }
            out.add(batch);
            from = to;
        }
        return out;
    }

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
