package org.geneformer4j.nativ;

import java.util.ArrayDeque;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;
import org.bytedeco.javacpp.Pointer;
import org.geneformer4j.util.UserException;

/**
 * Native buffers reused across blocks and batches: host memory, pinned (page-locked) host memory for fast
 * asynchronous copies, and device memory. Sizes are rounded up to powers of two so that blocks of varying size
 * reuse the same buffers; after the first blocks a run allocates nothing more, which {@link #allocations()} shows.
 * Buffers live until {@link #close()} (a run's scope, as DJL's NDManager).
 */
public final class BufferPool implements AutoCloseable {
    /** Where a buffer lives. */
    public enum Kind { HOST, PINNED, DEVICE }

    /** A buffer of at least the bytes asked for; give it back with {@link BufferPool#release}. */
    public record Buffer(Kind kind, int device, long capacity, Pointer pointer) {}

    private final Map<Kind, Map<Long, ArrayDeque<Buffer>>> free = new EnumMap<>(Kind.class);
    private final int device;
    private long allocations;
    private long bytesAllocated;

    /** @param device the CUDA device of DEVICE buffers */
    public BufferPool(int device) {
        this.device = device;
    }

    public synchronized Buffer acquire(Kind kind, long bytes) {
        long cap = Long.highestOneBit(Math.max(64, bytes - 1)) << 1;
        ArrayDeque<Buffer> q = free.computeIfAbsent(kind, k -> new HashMap<>()).get(cap);
        if (q != null && !q.isEmpty()) {
            return q.pop();
        }
        Pointer p = switch (kind) {
            case HOST -> Pointer.malloc(cap);
            case PINNED -> GeneformerNative.gf_cuda_host_alloc(cap);
            case DEVICE -> GeneformerNative.gf_cuda_malloc(cap, device);
        };
        if (p == null || p.isNull()) {
            throw new UserException("cannot allocate " + cap + " bytes of " + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " memory" + (kind == Kind.HOST ? "" : ": " + GeneformerNative.gf_cuda_last_error().getString()));
        }
        allocations++;
        bytesAllocated += cap;
        return new Buffer(kind, device, cap, p);
    }

    public synchronized void release(Buffer b) {
        free.computeIfAbsent(b.kind(), k -> new HashMap<>()).computeIfAbsent(b.capacity(), c -> new ArrayDeque<>()).push(b);
    }

    /** Buffers allocated since the pool was made (a debug counter: steady state means it stops growing). */
    public synchronized long allocations() {
        return allocations;
    }

    public synchronized long bytesAllocated() {
        return bytesAllocated;
    }

    @Override
    public synchronized void close() {
        for (Map<Long, ArrayDeque<Buffer>> bySize : free.values()) {
            for (ArrayDeque<Buffer> q : bySize.values()) {
                for (Buffer b : q) {
                    switch (b.kind()) {
                        case HOST -> Pointer.free(b.pointer());
                        case PINNED -> GeneformerNative.gf_cuda_host_free(b.pointer());
                        case DEVICE -> GeneformerNative.gf_cuda_free(b.pointer(), b.device());
                    }
                }
            }
        }
        free.clear();
    }
}
