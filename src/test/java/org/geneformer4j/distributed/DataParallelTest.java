package org.geneformer4j.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/**
 * Gradient averaging over two ranks (threads of one JVM, Gloo on loopback): exact means in every bucket, a parameter
 * without a gradient counted as zeros, and the pooled buckets allocated once for the run, not per step.
 */
class DataParallelTest {
    /** Sizes that make three buckets of at most 25 MiB, filled from the last: 4M floats, then 3M + 1 + 2M, then 5M. */
    static final int[] SIZES = {5_000_000, 2_000_000, 1, 3_000_000, 4_000_000};

    @Test
    void gradientsAreAveragedInPooledBucketsAllocatedOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        int p = port;
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            List<Future<int[]>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                fs.add(ex.submit(() -> rank(new Cluster(rank, 2, rank, "127.0.0.1", p))));
            }
            for (Future<int[]> f : fs) {
                int[] allocations = f.get(120, TimeUnit.SECONDS);
                assertEquals(3, allocations[0], "buckets after the first step");
                for (int step = 1; step < allocations.length; step++) {
                    assertEquals(allocations[0], allocations[step], "step " + (step + 1) + " allocated again");
                }
            }
        } finally {
            ex.shutdownNow();
        }
    }

    /** Four steps of one rank; the buckets allocated after each. */
    private static int[] rank(Cluster cluster) {
        try (DataParallel dp = DataParallel.join(cluster, Duration.ofSeconds(60))) {
            List<Tensor> params = new ArrayList<>();
            for (int n : SIZES) {
                params.add(Tensors.floats(new float[n], n).requires_grad_(true));
            }
            int[] allocations = new int[4];
            for (int step = 0; step < allocations.length; step++) {
                for (int i = 0; i < params.size(); i++) {
                    // parameter 2 has no gradient on rank 1 in step 0 (unused there): it counts as zeros
                    if (step == 0 && i == 2 && cluster.rank() == 1) {
                        continue;
                    }
                    float[] g = new float[SIZES[i]];
                    for (int k = 0; k < g.length; k += 9973) {
                        g[k] = value(cluster.rank(), step, i, k);
                    }
                    params.get(i).mutable_grad().put(Tensors.floats(g, g.length));
                }
                dp.averageGradients(params);
                allocations[step] = dp.allocations();
                for (int i = 0; i < params.size(); i++) {
                    float[] avg = Tensors.floatArray(params.get(i).grad());
                    for (int k = 0; k < avg.length; k += 9973) {
                        float r1 = step == 0 && i == 2 ? 0 : value(1, step, i, k);
                        assertEquals((value(0, step, i, k) + r1) / 2, avg[k], 0f, "step " + step + " parameter " + i + " element " + k);
                    }
                }
            }
            return allocations;
        }
    }

    /** Small integers: their sums and halves are exact in float. */
    private static float value(int rank, int step, int param, int k) {
        return (rank + 1) * 8 + step * 4 + param + (k % 7);
    }
}
