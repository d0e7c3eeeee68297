package org.geneformer4j.distributed;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.Tensors;

/**
 * The collectives data parallelism needs from a c10d process group, whichever backend carries them: Gloo between
 * host buffers ({@link GlooGroup}), NCCL between device buffers ({@link NcclGroup}).
 */
public interface Collectives extends AutoCloseable {
    int rank();

    int worldSize();

    /** Starts summing {@code t} over all ranks in place; the caller waits on the returned work. */
    Work allreduceSumAsync(Tensor t);

    /** Sums {@code t} over all ranks in place and waits. */
    void allreduceSum(Tensor t);

    /** Overwrites {@code t} on every rank with rank {@code root}'s. */
    void broadcast(Tensor t, int root);

    void barrier();

    /**
     * Whether reduction buffers should sit beside the gradients on the device (NCCL) rather than in host memory
     * (Gloo, whose transports read host memory).
     */
    boolean reducesOnDevice();

    @Override
    void close();

    /** Overwrites {@code params} on every rank with rank {@code root}'s (DDP's start: every replica the same). */
    default void broadcastParameters(Collection<Tensor> params, int root) {
        try (NoGradGuard g = new NoGradGuard()) {
            List<Tensor> values = new ArrayList<>();
            for (Tensor p : params) {
                values.add(p.detach());
            }
            Tensor flat = flatten(values);
            broadcast(flat, root);
            unflatten(flat, values);
        }
    }

    /** The tensors concatenated into one new flat tensor. */
    static Tensor flatten(List<Tensor> ts) {
        TensorVector flat = new TensorVector();
        for (Tensor t : ts) {
            flat.push_back(t.reshape(-1));
        }
        return torch.cat(flat);
    }

    /** Copies consecutive slices of {@code flat} back into {@code into}. */
    static void unflatten(Tensor flat, List<Tensor> into) {
        long offset = 0;
        for (Tensor t : into) {
            long n = t.numel();
            t.copy_(flat.narrow(0, offset, n).view(Tensors.shape(t)));
            offset += n;
        }
    }
}
