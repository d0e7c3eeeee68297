package org.geneformer4j.engine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * The one seeded sample behind every {@code --max-ncells}: a shuffle by {@link Random} with the run's seed, then
 * the first {@code max}. Seeded like upstream's {@code shuffle(seed=42)}, though not the same permutation (the
 * Hugging Face generator is numpy's). The permutation depends only on the list's size and the seed, so stages that
 * sample the same cells choose the same ones.
 */
public final class Sample {
    private Sample() {}

    /** {@code items} itself when it holds at most {@code max} (or {@code max <= 0}); else {@code max} of them, in shuffled order. */
    public static <T> List<T> of(List<T> items, int max, long seed) {
        if (max <= 0 || items.size() <= max) {
            return items;
        }
        List<T> l = new ArrayList<>(items);
        Collections.shuffle(l, new Random(seed));
        return new ArrayList<>(l.subList(0, max));
    }

    /** The indices {@code 0..n-1} that {@link #of} keeps, in increasing order. */
    public static int[] indices(int n, int max, long seed) {
        List<Integer> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(i);
        }
        return of(all, max, seed).stream().mapToInt(Integer::intValue).sorted().toArray();
    }
}
