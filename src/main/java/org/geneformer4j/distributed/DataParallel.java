package org.geneformer4j.distributed;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.Work;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.ErrorMessages;
import org.geneformer4j.util.UserException;

/**
 * Data parallelism over a c10d group, as DDP does it: every rank starts from rank 0's weights, and after each
 * backward pass the gradients are averaged over the ranks, bucket by bucket. The buckets are flat buffers made once
 * and reused every step (the Java-side memory pooling; {@link #allocations()} stays constant once warm); all buckets
 * are in flight at once, so their reductions overlap each other. The buckets sit in host memory for Gloo and beside
 * the gradients on the GPU for NCCL. A single-process job is the same object with nothing to do, so the training loop
 * has one path.
 */
public final class DataParallel implements AutoCloseable {
    /** DDP's default bucket size. */
    static final long BUCKET_BYTES = 25L << 20;

    private final Cluster cluster;
    private final Collectives group;
    private final List<Tensor> buckets = new ArrayList<>();
    private List<List<Tensor>> layout;

    private DataParallel(Cluster cluster, Collectives group) {
        this.cluster = cluster;
        this.group = group;
    }

    public static DataParallel single() {
        return new DataParallel(Cluster.single(), null);
    }

    /**
     * Joins the job this process belongs to (TCP rendezvous at the master's address) over {@code backend} for ranks
     * that train on {@code device}; a job of one is {@link #single()}, unless a backend was named explicitly and
     * the environment names a job (torchrun with one process): then the group is made anyway, which checks the
     * backend's path against the plain one. A peer that dies or does not answer within {@code timeout} ends every
     * rank with an error.
     */
    public static DataParallel join(Cluster cluster, Duration timeout, DistBackend backend, org.bytedeco.pytorch.Device device) {
        DistBackend chosen = backend.resolve(device);
        boolean forced = backend != DistBackend.AUTO && System.getenv("WORLD_SIZE") != null;
        if (!cluster.distributed() && !forced) {
            return single();
        }
        try {
            String bind = cluster.masterAddr().equals("127.0.0.1") || cluster.masterAddr().equals("localhost") ? "127.0.0.1" : null;
            Collectives g = chosen == DistBackend.NCCL
                    ? NcclGroup.tcp(cluster.masterAddr(), cluster.masterPort(), cluster.rank(), cluster.worldSize(), timeout, device)
                    : GlooGroup.tcp(cluster.masterAddr(), cluster.masterPort(), cluster.rank(), cluster.worldSize(), timeout, bind);
            return new DataParallel(cluster, g);
        } catch (UserException e) {
            throw e;
        } catch (RuntimeException | LinkageError e) {
            // LinkageError: NCCL's natives missing (LibTorch's CPU build)
            throw new UserException("rank " + cluster.rank() + " could not join the job at " + cluster.masterAddr() + ":"
                    + cluster.masterPort() + " over " + chosen.name().toLowerCase(java.util.Locale.ROOT) + ": "
                    + ErrorMessages.firstLine(e), e);
        }
    }

    /** As {@link #join(Cluster, Duration, DistBackend, org.bytedeco.pytorch.Device)} for CPU ranks over Gloo. */
    public static DataParallel join(Cluster cluster, Duration timeout) {
        return join(cluster, timeout, DistBackend.AUTO, new org.bytedeco.pytorch.Device("cpu"));
    }

    /** The backend carrying this job's collectives, for the log; "none" for a job of one. */
    public String backendName() {
        return group == null ? "none" : group instanceof NcclGroup ? "nccl" : "gloo";
    }

    public Cluster cluster() {
        return cluster;
    }

    public boolean isMain() {
        return cluster.isMain();
    }

    public int worldSize() {
        return cluster.worldSize();
    }

    /** Every rank takes rank 0's values of {@code params} (heads initialised at random included). */
    public void broadcast(Collection<Tensor> params) {
        if (group != null) {
            guarded(() -> group.broadcastParameters(params, 0));
        }
    }

    /**
     * Replaces each parameter's gradient by its mean over the ranks. Every rank passes the same parameters in the
     * same order; a parameter without a gradient counts as zeros.
     */
    public void averageGradients(List<Tensor> params) {
        if (group == null) {
            return;
        }
        guarded(() -> {
            try (NoGradGuard g = new NoGradGuard()) {
                if (layout == null) {
                    allocate(params);
                }
                List<Work> inFlight = new ArrayList<>();
                for (int b = 0; b < buckets.size(); b++) {
                    Tensor flat = buckets.get(b);
                    long at = 0;
                    for (Tensor p : layout.get(b)) {
                        long n = p.numel();
                        Tensor grad = p.grad();
                        if (grad.defined()) {
                            flat.narrow(0, at, n).copy_(grad.reshape(-1));
                        } else {
                            flat.narrow(0, at, n).zero_();
                        }
                        at += n;
                    }
                    inFlight.add(group.allreduceSumAsync(flat));
                }
                for (int b = 0; b < buckets.size(); b++) {
                    inFlight.get(b)._wait();
                    Tensor flat = buckets.get(b).div_(new Scalar((double) cluster.worldSize()));
                    long at = 0;
                    for (Tensor p : layout.get(b)) {
                        long n = p.numel();
                        Tensor grad = p.grad();
                        if (!grad.defined()) {
                            p.mutable_grad().put(torch.zeros_like(p));
                            grad = p.grad();
                        }
                        grad.copy_(flat.narrow(0, at, n).view(Tensors.shape(p)));
                        at += n;
                    }
                }
            }
        });
    }

    /** Buckets in reverse parameter order (the order backward produces gradients), each up to {@link #BUCKET_BYTES}. */
    private void allocate(List<Tensor> params) {
        layout = new ArrayList<>();
        List<Tensor> current = new ArrayList<>();
        long bytes = 0;
        for (int i = params.size() - 1; i >= 0; i--) {
            Tensor p = params.get(i);
            long b = p.numel() * 4;
            if (!current.isEmpty() && bytes + b > BUCKET_BYTES) {
                layout.add(current);
                current = new ArrayList<>();
                bytes = 0;
            }
            current.add(p);
            bytes += b;
        }
        if (!current.isEmpty()) {
            layout.add(current);
        }
        for (List<Tensor> bucket : layout) {
            long n = bucket.stream().mapToLong(Tensor::numel).sum();
            TensorOptions where = new TensorOptions(ScalarType.Float);
            if (group.reducesOnDevice()) {
                where = where.device(new org.bytedeco.pytorch.DeviceOptional(bucket.get(0).device()));
            }
            Tensor flat = torch.empty(new long[] {n}, where, new org.bytedeco.pytorch.MemoryFormatOptional());
            flat.retainReference(); // pooled for the whole run, not the step's pointer scope
            buckets.add(flat);
        }
    }

    /**
     * Fails on every rank unless all ranks hold the same weights. Only rank 0 writes checkpoints, so replicas that
     * drifted apart (a kernel that rounds differently on another card, a rank that missed an update) would be saved
     * as one model while the job trains others. The checksum is each tensor's bit patterns summed as integers:
     * exact whatever order a device sums in, so equal weights always agree; changes that cancel within a tensor
     * would go unseen, which drifting replicas, differing in many elements at random, do not do.
     */
    public void requireSameWeights(Collection<Tensor> params, long step) {
        if (group == null) {
            return;
        }
        long h = 0;
        try (PointerScope scope = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
            for (Tensor p : params) {
                ScalarType bits = switch ((int) p.element_size()) {
                    case 1 -> ScalarType.Byte;
                    case 2 -> ScalarType.Short;
                    case 8 -> ScalarType.Long;
                    default -> ScalarType.Int;
                };
                long sum = p.detach().view(bits).sum(new org.bytedeco.pytorch.ScalarTypeOptional(ScalarType.Long)).item_long();
                h = h * 1_000_003L + sum;
            }
        }
        // two sums, one of them of a scrambled value, so that differences cannot cancel over three or more ranks
        long[] mine = {h, scramble(h)};
        long[] all = sum(mine);
        if (all[0] != mine[0] * worldSize() || all[1] != mine[1] * worldSize()) {
            throw new UserException("rank " + cluster.rank() + " of " + worldSize() + ": the ranks' weights differ after step "
                    + step + " (the replicas diverged: ranks on different cards or software?); no checkpoint was written for it");
        }
    }

    /** SplitMix64's finaliser. */
    private static long scramble(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Each value summed over the ranks (exactly: integers), on every rank; a job of one returns {@code values}. */
    public long[] sum(long[] values) {
        if (group == null) {
            return values;
        }
        long[] out = new long[values.length];
        guarded(() -> {
            try (PointerScope scope = new PointerScope()) {
                Tensor t = Tensors.longs(values, values.length);
                group.allreduceSum(t);
                System.arraycopy(Tensors.longArray(t), 0, out, 0, out.length);
            }
        });
        return out;
    }

    /** The mean of {@code value} over the ranks, on every rank; a job of one returns {@code value}. */
    public double mean(double value) {
        if (group == null) {
            return value;
        }
        double[] out = new double[1];
        guarded(() -> {
            try (PointerScope scope = new PointerScope()) {
                Tensor t = torch.full(new long[] {1}, new Scalar(value), new TensorOptions(ScalarType.Double));
                group.allreduceSum(t);
                out[0] = t.item_double() / cluster.worldSize();
            }
        });
        return out[0];
    }

    /** Flat gradient buffers allocated so far: the bucket count after the first step, then constant. */
    public int allocations() {
        return buckets.size();
    }

    /** Waits until every rank gets here (e.g. before reading what rank 0 wrote). */
    public void barrier() {
        if (group != null) {
            guarded(group::barrier);
        }
    }

    private void guarded(Runnable r) {
        try {
            r.run();
        } catch (UserException e) {
            throw e;
        } catch (RuntimeException e) {
            // Gloo reports a vanished peer as "Connection closed by peer" and a silent one as a timeout
            throw new UserException("rank " + cluster.rank() + " of " + cluster.worldSize() + ": another rank stopped or"
                    + " does not answer (" + ErrorMessages.firstLine(e) + ")", e);
        }
    }

    @Override
    public void close() {
        buckets.forEach(Tensor::releaseReference);
        buckets.clear();
        if (group != null) {
            group.close();
        }
    }
}
