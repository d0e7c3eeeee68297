package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The batches of one epoch, a pure function of (seed, epoch): a resumed run finds the same order without saving it.
 * With length grouping, as transformers' LengthGroupedSampler: a random permutation cut into megabatches of 50
 * batches, each sorted longest first, so that a batch pads to similar lengths while the epoch stays shuffled.
 * Primitive arrays only (8 bytes a cell while sorting): a pretraining corpus has tens of millions of cells.
 */
final class EpochOrder {
    private EpochOrder() {}

    static List<int[]> batches(TrainingTask task, TrainSettings s, int epoch) {
        return batches(task, s, s.batchSize(), epoch);
    }

    /** As above with batches of {@code batchSize} (the whole job's: per-rank size times ranks). */
    static List<int[]> batches(TrainingTask task, TrainSettings s, int batchSize, int epoch) {
        int n = task.trainSize();
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(s.seed() * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        if (s.groupByLength()) {
            int mega = batchSize * Math.max(1, Math.min(n / (4 * batchSize), 50));
            long[] keys = new long[Math.min(n, mega)];
            int[] sorted = new int[keys.length];
            for (int from = 0; from < n; from += mega) {
                int size = Math.min(n, from + mega) - from;
                // longest first and stable: keys (MAX - length, position) ascending
                for (int i = 0; i < size; i++) {
                    keys[i] = ((long) (Integer.MAX_VALUE - task.length(order[from + i])) << 32) | i;
                }
                Arrays.sort(keys, 0, size);
                for (int i = 0; i < size; i++) {
                    sorted[i] = order[from + (int) (keys[i] & 0xFFFFFFFFL)];
                }
                System.arraycopy(sorted, 0, order, from, size);
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            out.add(Arrays.copyOfRange(order, from, Math.min(n, from + batchSize)));
        }
        return out;
    }
}
