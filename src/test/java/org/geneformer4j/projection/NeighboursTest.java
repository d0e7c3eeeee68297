package org.geneformer4j.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class NeighboursTest {
    /** Clustered points in 20-D: 10 Gaussian blobs, as embeddings of 10 cell types look. */
    static float[][] blobs(int n, int d, long seed) {
        Random r = new Random(seed);
        float[][] centres = new float[10][d];
        for (float[] c : centres) {
            for (int j = 0; j < d; j++) {
                c[j] = (float) (r.nextGaussian() * 5);
            }
        }
        float[][] x = new float[n][d];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < d; j++) {
                x[i][j] = centres[i % 10][j] + (float) r.nextGaussian();
            }
        }
        return x;
    }

    @Test
    void exactSearchMatchesBruteForce() {
        float[][] x = blobs(300, 8, 1);
        Neighbours nb = Neighbours.of(x, 5, Neighbours.Method.EXACT, 0);
        for (int i = 0; i < x.length; i += 37) {
            int[] order = Metrics.order(Metrics.distances(x, i));
            for (int j = 0; j < 5; j++) {
                assertEquals(order[j], nb.index()[i * 5 + j], "point " + i + " neighbour " + j);
                assertEquals(Math.sqrt(Metrics.distances(x, i)[order[j]]), nb.distance()[i * 5 + j], 1e-4);
            }
        }
    }

    @Test
    void nnDescentFindsNearlyAllNeighboursAndIsReproducible() {
        float[][] x = blobs(4000, 20, 2);
        Neighbours exact = Neighbours.of(x, 14, Neighbours.Method.EXACT, 0);
        Neighbours approx = Neighbours.of(x, 14, Neighbours.Method.NNDESCENT, 7);
        double recall = approx.recall(exact);
        System.out.printf("NN-descent recall at k=14 on 4,000 points: %.4f%n", recall);
        assertTrue(recall > 0.95, "recall " + recall);
        for (int i = 0; i < x.length; i++) {
            for (int j = 1; j < 14; j++) {
                assertTrue(approx.distance()[i * 14 + j - 1] <= approx.distance()[i * 14 + j], "sorted nearest first");
            }
        }
        assertArrayEquals(approx.index(), Neighbours.of(x, 14, Neighbours.Method.NNDESCENT, 7).index());
    }
}
