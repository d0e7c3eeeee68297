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

    /** Metrics on the validation set ({@code loss}, {@code accuracy}, {@code macro_f1}, ...); empty when there is none. */
    Map<String, Double> evaluate(BertModel model);
}
