package org.geneformer4j.projection;

import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.T_TensorTensor_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.Tensors;

/**
 * Principal components through LibTorch: centre the columns, take the eigenvectors of the covariance with the
 * largest eigenvalues, project. Signs follow scikit-learn's convention (largest |loading| positive) so that
 * layouts are reproducible.
 */
public final class Pca {
    private Pca() {}

    /** The first {@code k} principal-component scores of the rows of {@code x} [n, d]. */
    public static float[][] scores(float[][] x, int k) {
        int n = x.length;
        int d = x[0].length;
        int kk = Math.min(k, Math.min(n, d));
        float[] flat = new float[n * d];
        for (int i = 0; i < n; i++) {
            System.arraycopy(x[i], 0, flat, i * d, d);
        }
        try (PointerScope scope = new PointerScope()) {
            Tensor m = Tensors.floats(flat, n, d).to(torch.ScalarType.Double);
            Tensor centred = m.sub(m.mean(new long[] {0}, true, new org.bytedeco.pytorch.ScalarTypeOptional()));
            Tensor cov = torch.matmul(centred.transpose(0, 1), centred);
            T_TensorTensor_T eig = torch.linalg_eigh(cov);
            Tensor vecs = eig.get1().narrow(1, d - kk, kk).flip(1); // eigh sorts ascending
            Tensor signs = vecs.gather(0, vecs.abs().argmax(new org.bytedeco.pytorch.LongOptional(0), true)).sign();
            vecs = vecs.mul(signs);
            float[] out = Tensors.floatArray(torch.matmul(centred, vecs));
            float[][] res = new float[n][kk];
            for (int i = 0; i < n; i++) {
                System.arraycopy(out, i * kk, res[i], 0, kk);
            }
            return res;
        }
    }
}
