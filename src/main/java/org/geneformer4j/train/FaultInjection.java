package org.geneformer4j.train;

/**
 * A test's way to fail one rank of a job mid-run ({@code GENEFORMER_FAULT_RANK}): killed as {@code kill -9} would
 * (no cleanup, no message) at {@code GENEFORMER_FAULT_STEP}; hung for good, as a rank stuck in a driver or on a dead
 * file system, at {@code GENEFORMER_FAULT_HANG_STEP}; or out of device memory once, after its first backward pass, at
 * {@code GENEFORMER_FAULT_OOM_STEP}; or with its weights nudged off the others' after step
 * {@code GENEFORMER_FAULT_DIVERGE_STEP}. Unset in real jobs.
 */
final class FaultInjection {
    private static final String RANK = System.getenv("GENEFORMER_FAULT_RANK");
    private static final String STEP = System.getenv("GENEFORMER_FAULT_STEP");
    private static final String HANG_STEP = System.getenv("GENEFORMER_FAULT_HANG_STEP");
    private static final String DIVERGE_STEP = System.getenv("GENEFORMER_FAULT_DIVERGE_STEP");
    private static final String OOM_STEP = System.getenv("GENEFORMER_FAULT_OOM_STEP");
    private static boolean outOfMemoryDone;

    private FaultInjection() {}

    static void maybeDie(int rank, long step) {
        if (RANK != null && STEP != null && Integer.parseInt(RANK) == rank && Long.parseLong(STEP) == step) {
            Runtime.getRuntime().halt(137);
        }
    }

    static void maybeHang(int rank, long step) {
        if (RANK != null && HANG_STEP != null && Integer.parseInt(RANK) == rank && Long.parseLong(HANG_STEP) == step) {
            while (true) {
                try {
                    Thread.sleep(Long.MAX_VALUE);
                } catch (InterruptedException ignored) {
                    // a hung rank does not answer interrupts either
                }
            }
        }
    }

    static void maybeDiverge(int rank, long step, java.util.Collection<org.bytedeco.pytorch.Tensor> weights) {
        if (RANK != null && DIVERGE_STEP != null && Integer.parseInt(RANK) == rank && Long.parseLong(DIVERGE_STEP) == step) {
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                weights.iterator().next().detach().view(-1).narrow(0, 0, 1).add_(new org.bytedeco.pytorch.Scalar(1e-3));
            }
        }
    }

    static void maybeRunOutOfMemory(int rank, long step) {
        if (RANK != null && OOM_STEP != null && !outOfMemoryDone && Integer.parseInt(RANK) == rank
                && Long.parseLong(OOM_STEP) == step) {
            outOfMemoryDone = true;
            throw new RuntimeException("CUDA out of memory (injected at step " + (step + 1) + ")");
        }
    }
}
