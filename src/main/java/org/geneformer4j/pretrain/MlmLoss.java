package org.geneformer4j.pretrain;

import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
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
        if (model.head() != Head.MLM) {
            throw new IllegalArgumentException("masked gene modelling needs the MLM head, the model has " + model.head());
        }
        long[] shape = {batch.rows(), batch.length()};
        Tensor ids = Tensors.longs(batch.inputIds(), shape).to(model.device(), ScalarType.Long);
        Tensor attention = Tensors.longs(batch.attentionMask(), shape).to(model.device(), ScalarType.Long);
        Tensor logits = model.forward(ids, attention, false, false).logits();
        if (batch.selected() == 0) {
            return logits.sum().mul(new org.bytedeco.pytorch.Scalar(0.0));
        }
        Tensor labels = Tensors.longs(batch.labels(), batch.labels().length).to(model.device(), ScalarType.Long);
        // torch's defaults: mean over the targets that are not ignore_index = -100
        return torch.cross_entropy(logits.reshape(-1, logits.size(-1)).to(ScalarType.Float), labels);
    }
}
