package org.geneformer4j.pretrain;

import org.bytedeco.pytorch.Tensor;
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
 * <p>The logits are computed at every position, as transformers does ([batch, len, vocab]); computing them only at
 * the labelled positions (15 %) gives the same loss and gradients with ~1/0.15 = 6.7x less logit memory, but needs
 * the encoder output without the head, which {@link BertModel} does not expose yet.
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
     * The MLM logits at the labelled positions only ([selected, vocab]) and those positions' labels. The head is
     * per-token, so its logits there are those transformers computes at every position: the same loss and gradients
     * without the [batch, len, vocab] tensor (1.7 GB for 8 cells of 2,048 tokens and V1's 25,426 ids), which made
     * pretraining on full-length cells run out of memory.
     */
    public record Predicted(Tensor logits, Tensor labels, int selected, Tensor anyLogits) {
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
                // a zero that still depends on the head, so every parameter gets a (zero) gradient
                return new Predicted(null, null, 0, model.mlmLogits(flat.narrow(0, 0, 1)));
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
            Tensor logits = model.mlmLogits(flat.index_select(0, at)).to(ScalarType.Float);
            return new Predicted(logits, Tensors.longs(labels, labels.length).to(model.device(), ScalarType.Long), k, null);
        }

        /** Mean cross-entropy over the labelled positions (0, with zero gradients, when there are none). */
        public Tensor loss() {
            if (selected == 0) {
                return anyLogits.sum().mul(new org.bytedeco.pytorch.Scalar(0.0));
            }
            return torch.cross_entropy(logits, labels);
        }
    }
}
