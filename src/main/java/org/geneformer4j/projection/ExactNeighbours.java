package org.geneformer4j.projection;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.Tensors;

/**
 * Brute-force k nearest neighbours: blocks of rows against all points as one matrix product (|a|^2 + |b|^2 - 2ab,
 * in double so that near-ties rank as the exact distances do), then LibTorch's top-k. O(n^2 d) work, but in BLAS.
 */
final class ExactNeighbours {
    private static final long BLOCK_CELLS = 1L << 24; // doubles per distance block: 128 MB

    private ExactNeighbours() {}

    static Neighbours search(float[][] x, int k) {
        int n = x.length;
        int d = x[0].length;
        if (k >= n) {
            throw new IllegalArgumentException("need more than " + k + " points for " + k + " neighbours, got " + n);
        }
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, flat, i * d, d);
        }
        int[] index = new int[n * k];
        float[] distance = new float[n * k];
        int block = (int) Math.max(1, Math.min(n, BLOCK_CELLS / n));
        try (PointerScope outer = new PointerScope()) {
            Tensor all = Tensors.floats(flat, n, d).to(torch.ScalarType.Double);
            Tensor norms = all.mul(all).sum(new long[] {1}, false, new ScalarTypeOptional());
            for (int i0 = 0; i0 < n; i0 += block) {
                int rows = Math.min(block, n - i0);
                try (PointerScope inner = new PointerScope()) {
                    Tensor a = all.narrow(0, i0, rows);
                    Tensor d2 = torch.matmul(a, all.t()).mul_(new Scalar(-2.0))
                            .add_(norms.narrow(0, i0, rows).unsqueeze(1)).add_(norms.unsqueeze(0)).clamp_min_(new Scalar(0.0));
                    d2.diagonal(i0, 0, 1).fill_(new Scalar(Double.POSITIVE_INFINITY)); // a point is not its own neighbour
                    T_TensorTensor_T top = torch.topk(d2, k, 1, false, true);
                    float[] dist = Tensors.floatArray(top.get0().sqrt().to(torch.ScalarType.Float).contiguous());
                    long[] idx = Tensors.longArray(top.get1().contiguous());
                    for (int p = 0; p < rows * k; p++) {
                        index[i0 * k + p] = (int) idx[p];
                        distance[i0 * k + p] = dist[p];
                    }
                }
            }
        }
        return new Neighbours(n, k, index, distance);
    }
}
