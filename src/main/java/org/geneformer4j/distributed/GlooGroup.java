package org.geneformer4j.distributed;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.bytedeco.javacpp.chrono.Milliseconds;
import org.bytedeco.pytorch.AllreduceOptions;
import org.bytedeco.pytorch.BackendOptional;
import org.bytedeco.pytorch.BroadcastOptions;
import org.bytedeco.pytorch.FileStore;
import org.bytedeco.pytorch.GlooDeviceVector;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.ProcessGroup;
import org.bytedeco.pytorch.ProcessGroupGloo;
import org.bytedeco.pytorch.ReduceOp;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Store;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.LibTorch;

/**
 * A c10d process group over Gloo (CPU tensors), from the bytedeco LibTorch jar: rendezvous through a TCPStore or a
 * FileStore, then all-reduce, broadcast, barrier, and the group as a {@link ProcessGroup} for c10d's
 * {@link org.bytedeco.pytorch.Reducer} (DDP's gradient bucketing, driven by autograd hooks).
 *
 * <h2>Ownership rules of the bindings (found the hard way)</h2>
 * <ul>
 * <li>{@code new TCPStore/FileStore/PrefixStore(...)} allocate a raw C++ object that Java owns. Passed to a C++
 *     parameter of type {@code c10::intrusive_ptr<Store>} (ProcessGroupGloo's, ProcessGroup's, PrefixStore's
 *     constructors), JavaCPP's IntrusivePtrAdapter <em>steals</em> it ({@code unsafe_steal_from_new}); a second such
 *     call aborts the JVM ({@code intrusive_ptr: Newly-created target had non-zero refcounts}), and Java's own
 *     deallocator would later free an object C++ still holds. So: keep the raw store in Java, never pass it, and
 *     pass its {@link Store#clone()} instead, which comes back as a reference-counted {@code intrusive_ptr} and may be
 *     passed any number of times.</li>
 * <li>{@code ProcessGroupGloo} and {@code ProcessGroup} are allocated as {@code intrusive_ptr}s by their Java
 *     constructors and may be passed freely.</li>
 * <li>A Gloo group needs its devices named: {@code new ProcessGroupGloo(store, rank, size)} without options throws
 *     "No device(s) specified". Python reads {@code GLOO_SOCKET_IFNAME} in its binding, not in C++; this class does
 *     the same.</li>
 * <li>One {@code allreduce} of several tensors reduces across all of them (the old multi-device semantics): reduce
 *     one flat tensor, or use {@code allreduce_coalesced}.</li>
 * <li>Errors (a peer gone, a store timeout) arrive as {@link RuntimeException}s, not crashes.</li>
 * </ul>
 * Create and close a group outside any {@code PointerScope}: the scope would release the stores under the group.
 */
public final class GlooGroup implements Collectives {
    static {
        LibTorch.init();
    }

    private final Rendezvous rendezvous;
    private final ProcessGroupGloo backend;
    private final ProcessGroup group;
    private final int rank;
    private final int worldSize;

    private GlooGroup(Rendezvous rendezvous, int rank, int worldSize, Duration timeout, String glooHost) {
        this.rendezvous = rendezvous;
        Store store = rendezvous.shared();
        this.rank = rank;
        this.worldSize = worldSize;
        ProcessGroupGloo.Options opts = ProcessGroupGloo.Options.create(new Milliseconds(timeout.toMillis()));
        opts.devices(devices(glooHost));
        this.backend = new ProcessGroupGloo(store, rank, worldSize, opts);
        this.group = new ProcessGroup(store, rank, worldSize);
        group.setBackend(torch.DeviceType.CPU, ProcessGroup.BackendType.GLOO, new BackendOptional(backend));
        group.setDefaultBackend(ProcessGroup.BackendType.GLOO);
    }

    /**
     * Gloo's transport devices: one for {@code host} (an address or name of this machine to bind, e.g. 127.0.0.1)
     * when given, else one per interface in {@code GLOO_SOCKET_IFNAME}, else Gloo's default (this host's name).
     */
    private static GlooDeviceVector devices(String host) {
        if (host != null) {
            return new GlooDeviceVector(ProcessGroupGloo.createDeviceForHostname(host));
        }
        String ifnames = System.getenv("GLOO_SOCKET_IFNAME");
        if (ifnames != null && !ifnames.isBlank()) {
            GlooDeviceVector v = new GlooDeviceVector();
            for (String name : ifnames.split(",")) {
                v.push_back(ProcessGroupGloo.createDeviceForInterface(name.trim()));
            }
            return v;
        }
        return new GlooDeviceVector(ProcessGroupGloo.createDefaultDevice());
    }

    /**
     * Rendezvous through a TCPStore at {@code storeHost:port}, which rank 0 serves.
     *
     * @param glooHost the address this rank's Gloo transport binds (null: {@code GLOO_SOCKET_IFNAME} or the default)
     */
    public static GlooGroup tcp(String storeHost, int port, int rank, int worldSize, Duration timeout, String glooHost) {
        check(rank, worldSize);
        return new GlooGroup(Rendezvous.tcp(storeHost, port, rank, worldSize, timeout), rank, worldSize, timeout, glooHost);
    }

    /** Rendezvous through a FileStore: {@code file} on a file system every rank sees (absent or empty at first). */
    public static GlooGroup file(Path file, int rank, int worldSize, Duration timeout, String glooHost) {
        check(rank, worldSize);
        Store s = new FileStore(file.toString(), worldSize);
        s.setTimeout(new Milliseconds(timeout.toMillis()));
        return new GlooGroup(Rendezvous.of(s), rank, worldSize, timeout, glooHost);
    }

    static void check(int rank, int worldSize) {
        if (worldSize < 1 || rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("rank " + rank + " of " + worldSize);
        }
    }

    @Override
    public int rank() {
        return rank;
    }

    @Override
    public int worldSize() {
        return worldSize;
    }

    /** The group as c10d's ProcessGroup, for a {@link org.bytedeco.pytorch.Reducer}. */
    public ProcessGroup processGroup() {
        return group;
    }

    /** The rendezvous store (a reference-counted clone: pass it to C++ as often as needed). */
    public Store store() {
        return rendezvous.shared();
    }

    /** Reduces {@code t} (one CPU tensor) over all ranks in place and waits. */
    public void allreduce(Tensor t, ReduceOp.RedOpType op) {
        backend.allreduce(new TensorVector(t), new AllreduceOptions().reduceOp(new ReduceOp(op)))._wait();
    }

    /** Starts summing {@code t} over all ranks in place; the caller waits on the returned work. */
    @Override
    public org.bytedeco.pytorch.Work allreduceSumAsync(Tensor t) {
        return backend.allreduce(new TensorVector(t), new AllreduceOptions().reduceOp(new ReduceOp(ReduceOp.RedOpType.SUM)));
    }

    /** Sums {@code t} over all ranks in place. */
    @Override
    public void allreduceSum(Tensor t) {
        allreduce(t, ReduceOp.RedOpType.SUM);
    }

    /** Overwrites {@code t} on every rank with rank {@code root}'s. */
    @Override
    public void broadcast(Tensor t, int root) {
        backend.broadcast(new TensorVector(t), new BroadcastOptions().rootRank(root))._wait();
    }

    @Override
    public void barrier() {
        backend.barrier()._wait();
    }

    @Override
    public boolean reducesOnDevice() {
        return false;
    }

    /**
     * Averages the gradients of {@code params} over the ranks in one flat all-reduce (a parameter without a gradient
     * counts as zeros and receives the average): the plan without c10d's Reducer. Every rank passes the same
     * parameters in the same order.
     */
    public void averageGradients(Collection<Tensor> params) {
        try (NoGradGuard g = new NoGradGuard()) {
            List<Tensor> grads = new ArrayList<>();
            for (Tensor p : params) {
                Tensor grad = p.grad();
                if (!grad.defined()) {
                    grad = torch.zeros_like(p);
                    p.mutable_grad().put(grad);
                }
                grads.add(grad);
            }
            Tensor flat = Collectives.flatten(grads);
            allreduceSum(flat);
            flat.div_(new Scalar((double) worldSize));
            Collectives.unflatten(flat, grads);
        }
    }

    /** Releases the group, then the stores (rank 0's TCPStore server last). Other ranks should be done with it. */
    @Override
    public void close() {
        group.close();
        backend.close();
        rendezvous.close();
    }
}
