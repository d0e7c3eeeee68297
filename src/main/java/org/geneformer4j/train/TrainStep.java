package org.geneformer4j.train;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.distributed.DataParallel;
import org.geneformer4j.engine.MemoryBackoff;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Autocast;
import org.geneformer4j.util.ErrorMessages;
import org.geneformer4j.util.UserException;

/**
 * One optimizer step: the loss of each micro-batch, scaled by their number, backpropagated (gradients accumulate),
 * then the gradient norm clipped, AdamW applied and the gradients zeroed. Each micro-batch's dropout is seeded by
 * the step and its place in it, so a resumed run draws the same masks. Data-parallel training adds its gradient
 * reduction between the backward passes and the clipping. With mixed precision each forward pass and its loss run
 * under {@link Autocast}, the backward pass after it, into the fp32 weights' fp32 gradients. When the device runs
 * out of memory the step starts again with each share cut into twice as many pieces, for the rest of the run (the
 * inference stages halve their batches instead, {@link MemoryBackoff}; a training batch is the step's arithmetic,
 * so here the pieces accumulate into the same gradients).
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
    private final SplitListener onSplit;
    private int pieces;

    /**
     * @param autocast the dtype forward passes autocast to (fp32: none)
     * @param pieces   how many pieces each share of a batch goes through in (1; a resumed run's last number)
     * @param onSplit  told when the device ran out of memory and {@link #pieces()} doubled
     */
    TrainStep(BertModel model, TrainingTask task, Map<String, Tensor> trainable, AdamW optimizer, TrainSettings s,
            DataParallel parallel, ScalarType autocast, int pieces, SplitListener onSplit) {
        this.autocast = autocast;
        this.pieces = Math.max(1, pieces);
        this.onSplit = onSplit;
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
     * @param nanos where the step's time went: batches, forward, loss and backward; the gradient all-reduce; clipping
     *              and the optimizer. On a GPU each part waits for the device's work, which LibTorch only queues
     */
    record Done(double loss, double gradNorm, long examples, long tokens, long[] nanos) {}

    /**
     * @param microBatches the step's batches of the whole job; this rank trains on its share of each, its loss
     *                     weighted by that share, so that the average over the ranks is the loss of the whole batch
     */
    Done run(List<int[]> microBatches, long step, double learningRate) {
        model.train(true);
        int rank = parallel.cluster().rank();
        int world = parallel.worldSize();
        long t0 = System.nanoTime();
        int micro = microBatches.size();
        int[][] shares = new int[micro][];
        long[] weights = new long[micro];
        for (int k = 0; k < micro; k++) {
            shares[k] = share(microBatches.get(k), rank, world);
            weights[k] = world == 1 ? 0 : task.weight(shares[k], step);
        }
        // the batches' weights as the sums of the shares': no rank reads the examples of another (a corpus on disk).
        // A collective, so outside the retries below, which one rank may make alone.
        long[] totals = parallel.sum(weights);
        Losses losses;
        while (true) {
            try {
                losses = forwardBackward(microBatches, shares, weights, totals, step, rank, world);
                break;
            } catch (RuntimeException e) {
                if (!MemoryBackoff.isOutOfMemory(e)) {
                    throw e;
                }
                // the failed attempt may have added part of its gradients: start the step again from none
                Gradients.zero(trainableList);
                int largest = Arrays.stream(shares).mapToInt(b -> b.length).max().orElse(1);
                if (pieces >= largest) {
                    throw new UserException("out of memory on a single cell at step " + (step + 1)
                            + "; use --dtype bf16 or --packed, or a card with more memory (" + ErrorMessages.firstLine(e) + ")", e);
                }
                pieces *= 2;
                onSplit.split(step, pieces);
            }
        }
        FaultInjection.maybeDie(rank, step);
        FaultInjection.maybeHang(rank, step);
        // backward() returns once its kernels are queued; without waiting, their time would show as the next part's
        // (the H100's table put backward's tail under the optimizer). The norm read back below waits anyway.
        deviceDone();
        long t1 = System.nanoTime();
        parallel.averageGradients(trainableList);
        deviceDone();
        long t2 = System.nanoTime();
        double gradNorm = Gradients.clipNorm(trainableList, s.maxGradNorm());
        optimizer.step(learningRate);
        Gradients.zero(trainableList);
        FaultInjection.maybeDiverge(rank, step, trainableList);
        return new Done(losses.sum / micro, gradNorm, losses.examples, losses.tokens,
                new long[] {t1 - t0, t2 - t1, System.nanoTime() - t2});
    }

    /** Waits for the work queued on the model's GPU; nothing on a CPU. */
    private void deviceDone() {
        if (model.device().is_cuda()) {
            torch.cuda_synchronize(model.device().index());
        }
    }

    /** What one pass over a step's micro-batches saw: the summed loss, examples and tokens of the whole job. */
    private record Losses(double sum, long examples, long tokens) {}

    /**
     * The forward and backward passes of a step, gradients accumulated. Each rank's share of a micro-batch goes
     * through in {@link #pieces} pieces, each weighted as a data-parallel rank weights its share, so that the
     * gradients are the whole share's whatever the number of pieces (the equivalence the data-parallel tests show).
     */
    private Losses forwardBackward(List<int[]> microBatches, int[][] shares, long[] weights, long[] totals, long step,
            int rank, int world) {
        int micro = microBatches.size();
        double lossSum = 0;
        long examples = 0;
        long tokens = 0;
        for (int k = 0; k < micro; k++) {
            int[] global = microBatches.get(k);
            int[] batch = shares[k];
            // a share with nothing the loss is a mean over (no masked token) has no part in it, and its mean would be NaN
            if (batch.length > 0 && (world == 1 || weights[k] > 0)) {
                torch.manual_seed(dropoutSeed(s.seed(), step, k) ^ (rank * 0x9E3779B97F4A7C15L & Long.MAX_VALUE));
                int n = Math.min(pieces, batch.length);
                long whole = world > 1 ? totals[k] : n > 1 ? task.weight(batch, step) : 0;
                for (int j = 0; j < n; j++) {
                    int[] piece = share(batch, j, n);
                    long weight = n == 1 ? weights[k] : task.weight(piece, step);
                    if (n > 1 && weight == 0) {
                        continue;
                    }
                    try (PointerScope scope = new PointerScope()) {
                        // the parts sum to the batch's loss over the ranks, and the gradients are averaged: hence x world
                        double part = whole == 0 ? 1 : weight / (double) whole;
                        Tensor loss;
                        try (Autocast a = Autocast.to(model.device(), autocast)) {
                            loss = task.lossPart(model, piece, global, part, step).mul(new Scalar((double) world));
                        }
                        lossSum += loss.item_double();
                        loss.mul(new Scalar(1.0 / micro)).backward();
                        FaultInjection.maybeRunOutOfMemory(rank, step);
                    }
                }
            }
            examples += global.length;
            for (int i : global) {
                tokens += task.length(i);
            }
        }
        return new Losses(lossSum, examples, tokens);
    }

    /** Told that step {@code step} ran out of device memory and each share now goes through in {@code pieces}. */
    interface SplitListener {
        void split(long step, int pieces);
    }

    /** The number of pieces each share of a batch is cut into: 1 until the device runs out of memory. */
    int pieces() {
        return pieces;
    }

    /** Rank {@code rank}'s share of a batch: contiguous, sizes differing by at most one (empty when the batch is smaller than the job). */
    static int[] share(int[] batch, int rank, int world) {
        int from = (int) ((long) batch.length * rank / world);
        int to = (int) ((long) batch.length * (rank + 1) / world);
        return Arrays.copyOfRange(batch, from, to);
    }

    /** The dropout seed of micro-batch {@code k} of optimizer step {@code step}: a resumed run draws the same masks. */
    static long dropoutSeed(long seed, long step, int k) {
        long z = seed * 0x9E3779B97F4A7C15L + step * 0xBF58476D1CE4E5B9L + k * 0x94D049BB133111EBL;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return (z ^ (z >>> 31)) & Long.MAX_VALUE;
    }
}
