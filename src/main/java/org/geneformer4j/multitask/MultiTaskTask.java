package org.geneformer4j.multitask;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.train.TrainingTask;

/** Multi-task cell classification for the project's Trainer: the weighted sum of the tasks' cross-entropies. */
public final class MultiTaskTask implements TrainingTask {
    private final MultiTaskModel model;
    private final MultiTaskCells data;
    private final List<LabeledCell> train;
    private final List<LabeledCell> valid;
    private final double[] weights;
    private final int evalBatch;

    public MultiTaskTask(MultiTaskModel model, MultiTaskCells data, List<LabeledCell> train, List<LabeledCell> valid, double[] weights,
            int evalBatch) {
        if (weights.length != data.tasks().size()) {
            throw new IllegalArgumentException(weights.length + " weights for " + data.tasks().size() + " tasks");
        }
        this.model = model;
        this.data = data;
        this.train = train;
        this.valid = valid;
        this.weights = weights.clone();
        this.evalBatch = evalBatch;
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    public int length(int i) {
        return train.get(i).length();
    }

    @Override
    public Tensor loss(BertModel m, int[] examples) {
        return loss(m, examples, weights);
    }

    /**
     * The loss of the whole batch is sum_t w_t x (sum of the task's cross-entropies over the batch's cells labelled for
     * it) / (their count). A rank's share of the batch holds its own count of labelled cells per task, so no single
     * weight of the share's loss (the default's cells share) makes the ranks' parts sum to it: each task's mean over
     * the share is weighted by the share's part of that task's labelled cells instead, w_t x n_t(share) / n_t(batch).
     * Summed over the ranks that is the batch's loss exactly, whatever labels each share lacks; a task no cell of the
     * share is labelled for adds nothing there. With one process the factors are n / n = 1: the plain loss. The
     * labels are in memory, so each rank counts the whole batch's itself and {@code shareOfWeight} is not used.
     */
    @Override
    public Tensor lossPart(BertModel m, int[] share, int[] batch, double shareOfWeight, long step) {
        int[] inShare = labelled(share);
        int[] inBatch = labelled(batch);
        double[] w = new double[weights.length];
        for (int t = 0; t < w.length; t++) {
            w[t] = inShare[t] == 0 ? 0 : weights[t] * ((double) inShare[t] / inBatch[t]);
        }
        return loss(m, share, w);
    }

    /** How many of these training cells are labelled for each task. */
    private int[] labelled(int[] examples) {
        int[] n = new int[weights.length];
        for (int i : examples) {
            int[] y = data.labelsOf(train.get(i));
            for (int t = 0; t < n.length; t++) {
                n[t] += y[t] >= 0 ? 1 : 0;
            }
        }
        return n;
    }

    private Tensor loss(BertModel m, int[] examples, double[] weights) {
        check(m);
        List<int[]> cells = new ArrayList<>(examples.length);
        int[][] labels = new int[weights.length][examples.length];
        for (int i = 0; i < examples.length; i++) {
            LabeledCell c = train.get(examples[i]);
            cells.add(c.tokens());
            int[] y = data.labelsOf(c);
            for (int t = 0; t < y.length; t++) {
                labels[t][i] = y[t];
            }
        }
        TokenBatch b = TokenBatch.of(cells, m.config().padTokenId());
        MultiTaskModel.Output out = model.forward(b.idsTensor(m.device()), b.maskTensor(m.device()));
        return model.loss(out.logits(), labels, weights);
    }

    @Override
    public Map<String, Double> evaluate(BertModel m) {
        check(m);
        return valid.isEmpty() ? Map.of() : MultiTaskMetrics.of(model, data, valid, weights, evalBatch).summary();
    }

    /** The heads live on the model this task was made for; another model would train without them. */
    private void check(BertModel m) {
        if (m != model.encoder()) {
            throw new IllegalArgumentException("a multi-task task runs on the encoder of its own MultiTaskModel");
        }
    }
}
