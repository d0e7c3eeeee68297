package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.IntUnaryOperator;

/**
 * The batches of one epoch, a pure function of (seed, epoch): a resumed run finds the same order without saving it.
 * With length grouping, as transformers' {@code LengthGroupedSampler} ({@code get_length_grouped_indices}), which
 * upstream's pretrainer uses (GENEFORMER.md §8):
 * <ol>
 * <li>a random permutation of the cells;</li>
 * <li>cut into megabatches of {@code min(n / (4 batch), 50)} batches, at least one, where a batch is an optimizer
 *     step's cells (batch size times gradient accumulation, as transformers' Trainer gives its sampler);</li>
 * <li>each megabatch sorted longest first, stably, so that a batch pads to similar lengths while the epoch stays
 *     shuffled;</li>
 * <li>the longest cell of the epoch swapped to the very front, so that a batch that does not fit fails (or backs off
 *     into pieces) at the first step rather than hours in.</li>
 * </ol>
 * The batch is the whole job's (per-rank size times ranks): data-parallel ranks then take contiguous shares of each
 * batch ({@code TrainStep.share}), so a job of any number of ranks trains on the batches of one process, and a resumed
 * run needs only the position in the epoch. The permutation is {@link Random}'s, not torch's: upstream seeds its
 * sampler at random, so no run of it can be repeated anyway. Primitive arrays only (8 bytes a cell while sorting): a
 * pretraining corpus has tens of millions of cells.
 */
final class EpochOrder {
    /** transformers' cap on a megabatch, in batches. */
    static final int MAX_MEGABATCH_BATCHES = 50;

    private EpochOrder() {}

    static List<int[]> batches(TrainingTask task, TrainSettings s, int epoch) {
        return batches(task, s, s.batchSize(), epoch);
    }

    /** As above with batches of {@code batchSize} (the whole job's: per-rank size times ranks). */
    static List<int[]> batches(TrainingTask task, TrainSettings s, int batchSize, int epoch) {
        // megabatches count optimizer steps' cells, as transformers gives its sampler batch x accumulation
        int[] order = order(task.trainSize(), task::length, batchSize * s.gradientAccumulation(), s.groupByLength(), s.seed(), epoch);
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < order.length; from += batchSize) {
            out.add(Arrays.copyOfRange(order, from, Math.min(order.length, from + batchSize)));
        }
        return out;
    }

    /** Cells per megabatch for {@code n} cells in batches of {@code batchSize}. */
    static int megabatchSize(int n, int batchSize) {
        return batchSize * Math.max(1, Math.min(n / (4 * batchSize), MAX_MEGABATCH_BATCHES));
    }

    /** The cells {@code 0..n-1} in the order of epoch {@code epoch}; {@code batchSize} sizes the megabatches. */
    static int[] order(int n, IntUnaryOperator length, int batchSize, boolean groupByLength, long seed, int epoch) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(seed * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        if (!groupByLength || n == 0) {
            return order;
        }
        int mega = megabatchSize(n, batchSize);
        long[] keys = new long[Math.min(n, mega)];
        int[] sorted = new int[keys.length];
        int longest = 0; // the first of the first megabatch with the largest maximum (torch.argmax takes the first)
        int longestLength = -1;
        for (int from = 0; from < n; from += mega) {
            int size = Math.min(n, from + mega) - from;
            // longest first and stable: keys (MAX - length, position) ascending
            for (int i = 0; i < size; i++) {
                keys[i] = ((long) (Integer.MAX_VALUE - length.applyAsInt(order[from + i])) << 32) | i;
            }
            Arrays.sort(keys, 0, size);
            for (int i = 0; i < size; i++) {
                sorted[i] = order[from + (int) (keys[i] & 0xFFFFFFFFL)];
            }
            System.arraycopy(sorted, 0, order, from, size);
            int first = Integer.MAX_VALUE - (int) (keys[0] >>> 32);
            if (first > longestLength) {
                longestLength = first;
                longest = from;
            }
        }
        int t = order[0];
        order[0] = order[longest];
        order[longest] = t;
        return order;
    }
}
