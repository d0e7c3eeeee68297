package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The batches of one epoch, a pure function of (seed, epoch): a resumed run finds the same order without saving it.
 * With length grouping, as transformers' LengthGroupedSampler: a random permutation cut into megabatches of 50
 * batches, each sorted longest first, so that a batch pads to similar lengths while the epoch stays shuffled.
 */
final class EpochOrder {
    private EpochOrder() {}

    static List<int[]> batches(TrainingTask task, TrainSettings s, int epoch) {
        return batches(task, s, s.batchSize(), epoch);
    }

    /** As above with batches of {@code batchSize} (the whole job's: per-rank size times ranks). */
    static List<int[]> batches(TrainingTask task, TrainSettings s, int batchSize, int epoch) {
        int n = task.trainSize();
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Random rng = new Random(s.seed() * 1_000_003L + epoch);
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            Integer t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        if (s.groupByLength()) {
            int mega = batchSize * Math.max(1, Math.min(n / (4 * batchSize), 50));
            for (int from = 0; from < n; from += mega) {
                Arrays.sort(order, from, Math.min(n, from + mega),
                        (a, b) -> Integer.compare(task.length(b), task.length(a)));
            }
        }
        List<int[]> out = new ArrayList<>();
        for (int from = 0; from < n; from += batchSize) {
            int to = Math.min(n, from + batchSize);
            int[] b = new int[to - from];
            for (int i = from; i < to; i++) {
                b[i - from] = order[i];
            }
            out.add(b);
        }
        return out;
    }
}
