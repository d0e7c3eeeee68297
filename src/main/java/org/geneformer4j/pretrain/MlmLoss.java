package org.geneformer4j.pretrain;

import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;

/**
 * The loss of masked gene modelling, as {@code BertForMaskedLM(labels=...)}: cross-entropy of the MLM logits at
 * every labelled position, averaged over those positions ({@code ignore_index} {@link MlmMasking#IGNORE_INDEX}).
 *
 * <p>One departure: a batch without a single labelled position (possible for a few short cells) has loss 0 with a
 * zero gradient instead of transformers' NaN, so a data-parallel rank still takes part in the step's all-reduce.
 *
 * <p>The logits are computed only at the labelled positions, a chunk at a time ({@link Predicted}).
 */
public final class MlmLoss {
    private MlmLoss() {}

    /** The mean loss of {@code batch}, differentiable with respect to the model's parameters. */
    public static Tensor of(BertModel model, MlmMasking.Batch batch) {
        return of(model, batch, false);
    }

    /** As {@link #of(BertModel, MlmMasking.Batch)}, the batch's cells run packed end to end or padded. */
    public static Tensor of(BertModel model, MlmMasking.Batch batch, boolean packed) {
        return Predicted.of(model, batch, packed).loss();
    }

    /**
     * The hidden states at the labelled positions only ([selected, hidden]) and those positions' labels; the MLM head
     * is applied to them a chunk of positions at a time. The head is per-token, so its logits there are those
     * transformers computes at every position: the same loss and gradients without the [batch, len, vocab] tensor
     * (1.7 GB for 8 cells of 2,048 tokens and V1's 25,426 ids), which made pretraining on full-length cells run out
     * of memory.
     *
     * <p>Why chunks: one [selected, vocab] block of logits for a batch's ~900 masked positions is 92 MB, and glibc
     * maps every allocation over 32 MB afresh, so the loss's forward and backward faulted in hundreds of MB of new
     * pages every step; the cross-entropy of the whole block took 2.7 s there against 0.38 s in blocks under 32 MB
     * (one thread, V1's vocabulary). {@link #CHUNK_BYTES} keeps each block's logits under that limit.
     */
    public record Predicted(BertModel model, Tensor hidden, Tensor labels, int selected) {
        /** The most bytes of fp32 logits one chunk holds: under glibc's largest mmap threshold (32 MB), with a margin. */
        static final long CHUNK_BYTES = 24L << 20;
        /** at::Reduction::Sum. */
        private static final long REDUCTION_SUM = 2;

        public static Predicted of(BertModel model, MlmMasking.Batch batch) {
            return of(model, batch, false);
        }

        /**
         * As {@link #of(BertModel, MlmMasking.Batch)}, the batch's masked cells run packed end to end or padded
         * ({@link TokenBatch}): the labelled positions are found wherever the layout puts them.
         */
        public static Predicted of(BertModel model, MlmMasking.Batch batch, boolean packed) {
            if (model.head() != Head.MLM) {
                throw new IllegalArgumentException("masked gene modelling needs the MLM head, the model has " + model.head());
            }
            TokenBatch inputs = TokenBatch.of(batch.cells(), model.config().padTokenId(), packed);
            Tensor hidden = inputs.encode(model);
            Tensor flat = hidden.reshape(-1, hidden.size(-1));
            if (batch.selected() == 0) {
                return new Predicted(model, flat.narrow(0, 0, 1), null, 0);
            }
            long[] positions = new long[batch.selected()];
            long[] labels = new long[batch.selected()];
            int k = 0;
            for (int i = 0; i < batch.labels().length; i++) {
                if (batch.labels()[i] != MlmMasking.IGNORE_INDEX) {
                    positions[k] = inputs.position(i / batch.length(), i % batch.length());
                    labels[k++] = batch.labels()[i];
                }
            }
            Tensor at = Tensors.longs(positions, positions.length).to(model.device(), ScalarType.Long);
            return new Predicted(model, flat.index_select(0, at), Tensors.longs(labels, labels.length).to(model.device(), ScalarType.Long), k);
        }

        /** Positions per chunk of logits. */
        private long chunkRows() {
            return Math.max(1, CHUNK_BYTES / (4L * model.config().vocabSize()));
        }

        /** The fp32 logits of rows [from, from + n) of the selected positions. */
        private Tensor logits(long from, long n) {
            return model.mlmLogits(hidden.narrow(0, from, n)).to(ScalarType.Float);
        }

        /**
         * Mean cross-entropy over the labelled positions: the chunks' sums over their positions, divided by their
         * number once. A batch without one (possible for a few short cells) has loss 0 that still depends on the head,
         * so every parameter gets a (zero) gradient and a data-parallel rank still takes part in the all-reduce.
         */
        public Tensor loss() {
            return loss(chunkRows());
        }

        /** {@link #loss()} in chunks of {@code rows} positions (tests make them small). */
        Tensor loss(long rows) {
            if (selected == 0) {
                return model.mlmLogits(hidden).sum().mul(new Scalar(0.0));
            }
            Tensor sum = null;
            for (long from = 0; from < selected; from += rows) {
                long n = Math.min(rows, selected - from);
                Tensor part = torch.cross_entropy_loss(logits(from, n), labels.narrow(0, from, n), new TensorOptional(),
                        REDUCTION_SUM, MlmMasking.IGNORE_INDEX, 0.0);
                sum = sum == null ? part : sum.add(part);
            }
            return sum.div(new Scalar((double) selected));
        }

        /** How many labelled positions the head predicts right (argmax), for evaluation: no gradient. */
        public long correct() {
            long right = 0;
            try (NoGradGuard g = new NoGradGuard()) {
                for (long from = 0; from < selected; from += chunkRows()) {
                    long n = Math.min(chunkRows(), selected - from);
                    right += logits(from, n).argmax(new LongOptional(1), false).eq(labels.narrow(0, from, n)).sum().item_long();
                }
            }
            return right;
        }
    }
}
