package org.geneformer4j.train;

import java.util.Map;
import org.bytedeco.pytorch.Scalar;
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

    /**
     * A data-parallel rank's part of the loss of {@code batch}, of which it trains {@code share}: the parts of all the
     * ranks sum to the loss of the whole batch, so that the ranks together take the step one process takes on it. By
     * default the share's loss weighted by its share of {@link #weight}, which is exact for a loss that is one mean;
     * a loss that sums means over different subsets of the batch (multi-task: each task over its labelled cells)
     * must weight each mean by its own share. With one process {@code share} is {@code batch} and this is its loss.
     *
     * @param shareOfWeight {@code weight(share) / weight(batch)}, the batch's weight summed over the ranks
     */
    default Tensor lossPart(BertModel model, int[] share, int[] batch, double shareOfWeight, long step) {
        Tensor loss = loss(model, share, step);
        return share.length == batch.length ? loss : loss.mul(new Scalar(shareOfWeight));
    }

    /** Metrics on the validation set ({@code loss}, {@code accuracy}, {@code macro_f1}, ...); empty when there is none. */
    Map<String, Double> evaluate(BertModel model);
}
