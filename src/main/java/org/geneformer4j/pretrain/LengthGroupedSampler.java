package org.geneformer4j.pretrain;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The order of a pretraining epoch as transformers' {@code LengthGroupedSampler} makes it
 * ({@code trainer_pt_utils.get_length_grouped_indices}), which upstream Geneformer's pretrainer uses with
 * {@code group_by_length=True} (GENEFORMER.md §8):
 * <ol>
 * <li>a random permutation of the examples;</li>
 * <li>cut into megabatches of {@code mult × batchSize} consecutive indices, {@code mult = min(n / (4 batchSize), 50)},
 *     at least 1;</li>
 * <li>each megabatch sorted by length, longest first (stable: equal lengths keep their random order);</li>
 * <li>the single longest example of the epoch swapped with the first of the first megabatch (the first one of the
 *     megabatch that held it takes its place), so the first batch is the largest and an out-of-memory error comes
 *     at once rather than hours in;</li>
 * <li>the result read in batches of {@code batchSize}; only the last may be smaller.</li>
 * </ol>
 * Batches then pad to similar lengths while the epoch stays shuffled. The permutation comes from a
 * {@link SplittableRandom} seeded by {@link Seeds#of}(seed, epoch) (Fisher-Yates), not from torch's generator: the
 * same structure, not upstream's exact order, which upstream itself seeds at random.
 *
 * <h2>Distributed: {@link #shard}</h2>
 * Rank {@code r} of {@code w} takes the global batches {@code r, r + w, r + 2w, ...} of the same epoch order, as
 * accelerate deals a length-grouped sampler's batches to data-parallel ranks: in every step the ranks hold adjacent
 * batches of one megabatch, so of similar lengths and similar cost. Every rank takes the same number of steps,
 * {@code ceil(ceil(n / batchSize) / w)}. Unlike accelerate, the last step repeats no example (accelerate wraps
 * around to the start of the epoch to fill it): the examples left for it are split in {@code w} contiguous
 * batches whose sizes differ by at most one, so the shares of all ranks are disjoint and together hold every example
 * exactly once. When fewer examples than ranks are left, some ranks get an empty last batch; a trainer must still take
 * part in the step's collectives with them (a zero gradient). A run resumes inside an epoch by skipping the steps
 * done ({@link Shard#batches(int, int)}).
 */
public final class LengthGroupedSampler {
    /** transformers' cap on megabatch size, in batches. */
    public static final int MAX_MEGABATCH_MULT = 50;

    private final int[] lengths;
    private final int batchSize;
    private final long seed;
    private final int megabatchSize;

    /** @param lengths token count of each example, in dataset order */
    public LengthGroupedSampler(int[] lengths, int batchSize, long seed) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size " + batchSize);
        }
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 0) {
                throw new IllegalArgumentException("example " + i + " has length " + lengths[i]);
            }
        }
        this.lengths = lengths.clone();
        this.batchSize = batchSize;
        this.seed = seed;
        int mult = Math.min(lengths.length / (4 * batchSize), MAX_MEGABATCH_MULT);
        this.megabatchSize = Math.max(1, mult) * batchSize;
    }

    public int size() {
        return lengths.length;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Examples per megabatch: {@code min(n / (4 batchSize), 50)} batches, at least one. */
    public int megabatchSize() {
        return megabatchSize;
    }

    /** Batches per epoch in one process. */
    public int batchesPerEpoch() {
        return (lengths.length + batchSize - 1) / batchSize;
    }

    /** The example indices of epoch {@code epoch}, in training order. */
    public int[] order(int epoch) {
        int n = lengths.length;
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom rng = new SplittableRandom(Seeds.of(seed, epoch));
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = idx[i];
            idx[i] = idx[j];
            idx[j] = t;
        }
        // sort each megabatch longest first, stably: keys (MAX - length, position) ascending, no boxing
        long[] keys = new long[Math.min(n, megabatchSize)];
        int longestMegabatch = 0;
        for (int from = 0; from < n; from += megabatchSize) {
            int to = Math.min(n, from + megabatchSize);
            for (int i = from; i < to; i++) {
                keys[i - from] = ((long) (Integer.MAX_VALUE - lengths[idx[i]]) << 32) | (i - from);
            }
            Arrays.sort(keys, 0, to - from);
            int[] sorted = new int[to - from];
            for (int i = 0; i < to - from; i++) {
                sorted[i] = idx[from + (int) (keys[i] & 0xFFFFFFFFL)];
            }
            System.arraycopy(sorted, 0, idx, from, sorted.length);
            // the first megabatch whose maximum is the largest (torch.argmax takes the first)
            if (lengths[idx[from]] > lengths[idx[longestMegabatch]]) {
                longestMegabatch = from;
            }
        }
        if (n > 0) {
            int t = idx[0];
            idx[0] = idx[longestMegabatch];
            idx[longestMegabatch] = t;
        }
        return idx;
    }

    /** The batches of epoch {@code epoch} in one process: {@link #order} cut into batches of {@code batchSize}. */
    public List<int[]> batches(int epoch) {
        int[] idx = order(epoch);
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < idx.length; from += batchSize) {
            out.add(Arrays.copyOfRange(idx, from, Math.min(idx.length, from + batchSize)));
        }
        return out;
    }

    /** The share of rank {@code rank} of {@code worldSize} data-parallel ranks. */
    public Shard shard(int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of " + worldSize);
        }
        return new Shard(rank, worldSize);
    }

    /** One rank's batches: global batches rank, rank + w, ..., and its part of the balanced last step. */
    public final class Shard {
        private final int rank;
        private final int worldSize;

        private Shard(int rank, int worldSize) {
            this.rank = rank;
            this.worldSize = worldSize;
        }

        public int rank() {
            return rank;
        }

        public int worldSize() {
            return worldSize;
        }

        /** Optimizer steps per epoch, the same on every rank. */
        public int stepsPerEpoch() {
            return (batchesPerEpoch() + worldSize - 1) / worldSize;
        }

        /** This rank's batches of epoch {@code epoch}, one per step. */
        public List<int[]> batches(int epoch) {
            return batches(epoch, 0);
        }

        /** As {@link #batches(int)} from step {@code fromStep} on: where a run resumes. */
        public List<int[]> batches(int epoch, int fromStep) {
            int steps = stepsPerEpoch();
            if (fromStep < 0 || fromStep > steps) {
                throw new IllegalArgumentException("step " + fromStep + " of an epoch of " + steps);
            }
            if (fromStep == steps) {
                return Collections.emptyList();
            }
            int[] idx = order(epoch);
            List<int[]> out = new ArrayList<>(steps - fromStep);
            for (int s = fromStep; s < steps - 1; s++) {
                int from = (s * worldSize + rank) * batchSize;
                out.add(Arrays.copyOfRange(idx, from, from + batchSize));
            }
            // the last step: what is left, split in worldSize contiguous parts differing by at most one
            int start = (steps - 1) * worldSize * batchSize;
            int left = idx.length - start;
            int from = start + rank * (left / worldSize) + Math.min(rank, left % worldSize);
            int size = left / worldSize + (rank < left % worldSize ? 1 : 0);
            out.add(Arrays.copyOfRange(idx, from, from + size));
            return out;
        }
    }
}
