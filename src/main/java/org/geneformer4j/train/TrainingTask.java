package org.geneformer4j.train;

import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.model.BertModel;

/** What a trainer trains: a set of training examples, the loss of a batch of them, and an evaluation. */
public interface TrainingTask {
    /** Number of training examples. */
    int trainSize();

    /** Token count of training example {@code i} (for length-grouped batches and throughput). */
    int length(int i);

    /** The mean loss of a batch of training examples, differentiable with respect to the model's parameters. */
    Tensor loss(BertModel model, int[] examples);

    /**
     * As {@link #loss(BertModel, int[])} at optimizer step {@code step}, for tasks whose inputs are drawn anew each
     * step (masked gene modelling re-masks every cell every epoch).
     */
    default Tensor loss(BertModel model, int[] examples, long step) {
        return loss(model, examples);
    }

    /**
     * What the loss of these examples is a mean over (the examples themselves; the masked tokens for masked gene
     * modelling): data-parallel ranks weight their losses by their share of it, so the average over the ranks is the
     * loss of the whole batch. Additive over examples: the ranks sum their shares' weights instead of each reading
     * the whole batch.
     */
    default long weight(int[] examples, long step) {
        return examples.length;
    }

    /** Metrics on the validation set ({@code loss}, {@code accuracy}, {@code macro_f1}, ...); empty when there is none. */
    Map<String, Double> evaluate(BertModel model);
}
