package org.geneformer4j.train;

import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.distributed.DataParallel;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Autocast;

/**
 * One optimizer step: the loss of each micro-batch, scaled by their number, backpropagated (gradients accumulate),
 * then the gradient norm clipped, AdamW applied and the gradients zeroed. Each micro-batch's dropout is seeded by
 * the step and its place in it, so a resumed run draws the same masks. Data-parallel training adds its gradient
 * reduction between the backward passes and the clipping. With mixed precision each forward pass and its loss run
 * under {@link Autocast}, the backward pass after it, into the fp32 weights' fp32 gradients.
 */
final class TrainStep {
    private final BertModel model;
    private final TrainingTask task;
    private final Map<String, Tensor> trainable;
    private final AdamW optimizer;
    private final TrainSettings s;
    private final DataParallel parallel;
    private final List<Tensor> trainableList;
    private final ScalarType autocast;

    /** @param autocast the dtype forward passes autocast to (fp32: none) */
    TrainStep(BertModel model, TrainingTask task, Map<String, Tensor> trainable, AdamW optimizer, TrainSettings s,
            DataParallel parallel, ScalarType autocast) {
        this.autocast = autocast;
        this.model = model;
        this.task = task;
        this.trainable = trainable;
        this.optimizer = optimizer;
        this.s = s;
        this.parallel = parallel;
        this.trainableList = List.copyOf(trainable.values());
    }

    /**
     * @param loss the mean over the micro-batches (of a data-parallel job: this rank's part scaled to the whole batch,
     *             an estimate, as a rank sees its share only); {@code gradNorm} before clipping
     * @param nanos where the step's time went: batches, forward, loss and backward (the loss read back, so on a GPU
     *              the device's work too); the gradient all-reduce; clipping and the optimizer (the norm read back)
     */
    record Done(double loss, double gradNorm, long examples, long tokens, long[] nanos) {}

    /**
     * @param microBatches the step's batches of the whole job; this rank trains on its share of each, its loss
     *                     weighted by that share, so that the average over the ranks is the loss of the whole batch
     */
    Done run(List<int[]> microBatches, long step, double learningRate) {
        model.train(true);
        int micro = microBatches.size();
        int rank = parallel.cluster().rank();
        int world = parallel.worldSize();
        long t0 = System.nanoTime();
        double lossSum = 0;
        long examples = 0;
        long tokens = 0;
        int[][] shares = new int[micro][];
        long[] weights = new long[micro];
        for (int k = 0; k < micro; k++) {
            shares[k] = share(microBatches.get(k), rank, world);
            weights[k] = world == 1 ? 0 : task.weight(shares[k], step);
        }
        // the batches' weights as the sums of the shares': no rank reads the examples of another (a corpus on disk)
        long[] totals = parallel.sum(weights);
        for (int k = 0; k < micro; k++) {
            int[] global = microBatches.get(k);
            int[] batch = shares[k];
            // a share with nothing the loss is a mean over (no masked token) has no part in it, and its mean would be NaN
            if (batch.length > 0 && (world == 1 || weights[k] > 0)) {
                try (PointerScope scope = new PointerScope()) {
                    torch.manual_seed(dropoutSeed(s.seed(), step, k) ^ (rank * 0x9E3779B97F4A7C15L & Long.MAX_VALUE));
                    // the parts sum to the batch's loss over the ranks, and the gradients are averaged: hence x world
                    double part = world == 1 ? 1 : weights[k] / (double) totals[k];
                    Tensor loss;
                    try (Autocast a = Autocast.to(model.device(), autocast)) {
                        loss = task.lossPart(model, batch, global, part, step).mul(new Scalar((double) world));
                    }
                    lossSum += loss.item_double();
                    loss.mul(new Scalar(1.0 / micro)).backward();
                }
            }
            examples += global.length;
            for (int i : global) {
                tokens += task.length(i);
            }
        }
        FaultInjection.maybeDie(rank, step);
        long t1 = System.nanoTime();
        parallel.averageGradients(trainableList);
        long t2 = System.nanoTime();
        double gradNorm = Gradients.clipNorm(trainableList, s.maxGradNorm());
        optimizer.step(learningRate);
        Gradients.zero(trainableList);
        return new Done(lossSum / micro, gradNorm, examples, tokens, new long[] {t1 - t0, t2 - t1, System.nanoTime() - t2});
    }

    /** Rank {@code rank}'s share of a batch: contiguous, sizes differing by at most one (empty when the batch is smaller than the job). */
    static int[] share(int[] batch, int rank, int world) {
        int from = (int) ((long) batch.length * rank / world);
        int to = (int) ((long) batch.length * (rank + 1) / world);
        return java.util.Arrays.copyOfRange(batch, from, to);
    }

    /** The dropout seed of micro-batch {@code k} of optimizer step {@code step}: a resumed run draws the same masks. */
    static long dropoutSeed(long seed, long step, int k) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + k * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
