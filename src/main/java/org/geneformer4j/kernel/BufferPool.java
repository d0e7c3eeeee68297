package org.geneformer4j.kernel;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.Pointer;
import org.geneformer4j.util.UserException;

/**
 * Native buffers reused across blocks and batches: host memory, pinned (page-locked) host memory for fast
 * asynchronous copies, and device memory. Sizes are rounded up to powers of two so that blocks of varying size
 * reuse the same buffers; after the first blocks a run allocates nothing more, which {@link #allocations()} shows.
 * Buffers live until {@link #close()} (a run's scope, as DJL's NDManager). Closing with buffers still checked out
 * is an error that names them: they are not freed (a kernel or a tensor may still use them), so they leak.
 */
public final class BufferPool implements AutoCloseable {
    /** Where a buffer lives. */
    public enum Kind { HOST, PINNED, DEVICE }

    /** A buffer of at least the bytes asked for; give it back with {@link BufferPool#release}. */
    public record Buffer(Kind kind, int device, long capacity, Pointer pointer) {}

    private final Map<Kind, Map<Long, ArrayDeque<Buffer>>> free = new EnumMap<>(Kind.class);
    /** By identity: what a caller releases must be the very buffer it was lent. */
    private final Set<Buffer> lent = Collections.newSetFromMap(new IdentityHashMap<>());
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
            Buffer b = q.pop();
            lent.add(b);
            return b;
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
        Buffer b = new Buffer(kind, device, cap, p);
        lent.add(b);
        return b;
    }

    public synchronized void release(Buffer b) {
        if (!lent.remove(b)) {
            // pooled twice, it would be lent to two users at once
            throw new IllegalStateException("released a " + b.kind() + " buffer of " + b.capacity()
                    + " bytes that this pool has not lent out (released twice, or another pool's)");
        }
        free.computeIfAbsent(b.kind(), k -> new HashMap<>()).computeIfAbsent(b.capacity(), c -> new ArrayDeque<>()).push(b);
    }

    /** Buffers allocated since the pool was made (a debug counter: steady state means it stops growing). */
    public synchronized long allocations() {
        return allocations;
    }

    public synchronized long bytesAllocated() {
        return bytesAllocated;
    }

    /**
     * Frees the pooled buffers; then fails, naming how many, if any buffer is still checked out. Close it where an
     * earlier error wins ({@code try}-with-resources, {@link org.geneformer4j.util.Closing}): a run that failed with
     * blocks in flight reports its own error, with this one suppressed.
     */
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
        if (!lent.isEmpty()) {
            long bytes = lent.stream().mapToLong(Buffer::capacity).sum();
            throw new IllegalStateException("buffer pool closed with " + lent.size() + " buffer(s) (" + bytes
                    + " bytes) still checked out: not freed, as they may still be in use; release every acquired buffer first");
        }
    }
}
