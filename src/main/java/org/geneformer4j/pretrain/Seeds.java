package org.geneformer4j.pretrain;

/**
 * Seeds of pretraining's random streams (data order, masks) derived from the run's seed and coordinates such as
 * epoch and batch index, so that every stream is a pure function of where it is used: a resumed run, or one with
 * another number of ranks, draws the same numbers for the same epoch and batch without saving any generator state.
 */
public final class Seeds {
    private Seeds() {}

    /** SplitMix64 finalisation of the seed and each coordinate in turn: neighbouring coordinates give unrelated seeds. */
    public static long of(long seed, long... coordinates) {
        long z = mix(seed ^ 0x5DEECE66DL);
        for (long c : coordinates) {
            z = mix(z + 0x9E3779B97F4A7C15L * (c + 1));
        }
        return z;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
