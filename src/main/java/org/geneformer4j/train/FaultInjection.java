package org.geneformer4j.train;

/**
 * A test's way to kill one rank of a job mid-run, as {@code kill -9} would (no cleanup, no message):
 * {@code GENEFORMER_FAULT_RANK} and {@code GENEFORMER_FAULT_STEP} in the environment. Unset in real jobs.
 */
final class FaultInjection {
    private static final String RANK = System.getenv("GENEFORMER_FAULT_RANK");
    private static final String STEP = System.getenv("GENEFORMER_FAULT_STEP");

    private FaultInjection() {}

    static void maybeDie(int rank, long step) {
        if (RANK != null && STEP != null && Integer.parseInt(RANK) == rank && Long.parseLong(STEP) == step) {
            Runtime.getRuntime().halt(137);
        }
    }
}
