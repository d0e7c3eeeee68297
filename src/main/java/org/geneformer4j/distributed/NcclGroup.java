package org.geneformer4j.distributed;

import java.time.Duration;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch_cuda;
import org.bytedeco.pytorch.nccl.ProcessGroupNCCL;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.util.UserException;

/**
 * A c10d process group over NCCL: collectives between tensors on the ranks' GPUs, without the trip through host
 * memory that Gloo needs. Rendezvous as {@link GlooGroup}'s (a TCPStore, with the same ownership rule: Java keeps
 * the raw store and passes its clone).
 *
 * <p>Its classes load LibTorch's CUDA build and NCCL, so nothing here may be touched on a CPU-only installation:
 * {@link DataParallel} creates one only for ranks on CUDA devices. NCCL refuses two ranks on one GPU ("Duplicate GPU
 * detected"): one rank per device, as torchrun and Slurm's one-task-per-GPU give.
 *
 * <p>A collective's {@link Work#_wait()} makes the current CUDA stream wait for NCCL's, not the host: whatever the
 * caller enqueues next on that stream sees the reduced values. A peer that dies or hangs is caught by c10d's NCCL
 * watchdog after the group's timeout, which aborts the communicator and ends this process with its error.
 */
public final class NcclGroup implements Collectives {
    static {
        LibTorch.init();
    }

    private final Rendezvous rendezvous;
    private final ProcessGroupNCCL backend;
    private final Device device;
    private final int rank;
    private final int worldSize;

    private NcclGroup(Rendezvous rendezvous, int rank, int worldSize, Duration timeout, Device device) {
        this.rendezvous = rendezvous;
        this.rank = rank;
        this.worldSize = worldSize;
        this.device = device;
        // NCCL binds each communicator to the current device when it is first used
        torch_cuda.set_device(device.index());
        ProcessGroupNCCL.Options opts = ProcessGroupNCCL.Options.create();
        opts.timeout(new Milliseconds(timeout.toMillis()));
        this.backend = new ProcessGroupNCCL(rendezvous.shared(), rank, worldSize, opts);
    }

    /** Rendezvous through a TCPStore at {@code storeHost:port}, which rank 0 serves; this rank works on {@code device}. */
    public static NcclGroup tcp(String storeHost, int port, int rank, int worldSize, Duration timeout, Device device) {
        GlooGroup.check(rank, worldSize);
        if (!device.is_cuda() || !device.has_index()) {
            throw new UserException("an NCCL rank needs one CUDA device (cuda:N), not " + device.str().getString());
        }
        return new NcclGroup(Rendezvous.tcp(storeHost, port, rank, worldSize, timeout), rank, worldSize, timeout, device);
    }

    /** The version of the NCCL library LibTorch loaded, as major.minor.patch. */
    public static String ncclVersion() {
        int v = org.bytedeco.pytorch.global.torch_nccl.getNcclVersionNumber();
        // NCCL_VERSION_CODE: major * 10000 + minor * 100 + patch since 2.9
        return v / 10000 + "." + v / 100 % 100 + "." + v % 100;
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    @Override
    public boolean reducesOnDevice() {
        return true;
    }

    @Override
    public Work allreduceSumAsync(Tensor t) {
        return backend.allreduce(new TensorVector(t), new AllreduceOptions().reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM)));
    }

    /** Sums {@code t} over all ranks; a host tensor makes the trip to this rank's device and back. */
    @Override
    public void allreduceSum(Tensor t) {
        if (t.is_cuda()) {
            allreduceSumAsync(t)._wait();
            return;
        }
        Tensor onDevice = t.to(device, t.scalar_type());
        allreduceSumAsync(onDevice)._wait();
        t.copy_(onDevice); // a device-to-host copy waits for the stream, so t holds the sum on return
    }

    @Override
    public void broadcast(Tensor t, int root) {
        if (t.is_cuda()) {
            backend.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(root))._wait();
            return;
        }
        Tensor onDevice = t.to(device, t.scalar_type());
        backend.broadcast(new TensorVector(onDevice), new BroadcastOptions().rootRank(root))._wait();
        t.copy_(onDevice);
    }

    /**
     * A one-element all-reduce read back on the host: every rank got here. (c10d's own NCCL barrier guesses each
     * rank's device from its rank number; this one uses the rank's own.)
     */
    @Override
    public void barrier() {
        allreduceSum(org.geneformer4j.tensor.Tensors.longs(new long[] {1}, 1));
    }

    /** Releases the communicators, then the stores (rank 0's TCPStore server last). */
    @Override
    public void close() {
        backend.shutdown();
        backend.close();
        rendezvous.close();
    }
}
