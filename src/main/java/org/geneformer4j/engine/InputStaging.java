package org.geneformer4j.engine;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A worker's input tensors built in pooled host buffers instead of fresh ones per batch: on the CPU the model reads
 * the buffer itself (no copy); for a GPU the buffer is page-locked by LibTorch, so the copy to the device is
 * asynchronous and fast. Buffers come in power-of-two size classes; after the first batches of each class nothing
 * more is allocated ({@link #allocations()}). The buffers are LibTorch tensors that this pool alone owns, outside
 * any batch's pointer scope.
 */
public final class InputStaging implements AutoCloseable {
    private final Device device;
    private final boolean pinned;
    private final Map<Long, Deque<Tensor>> free = new HashMap<>();
    private final List<Tensor> owned = new ArrayList<>();
    private int checkedOut;

    public InputStaging(Device device) {
        this.device = device;
        this.pinned = device.is_cuda();
    }

    /** Input ids and attention mask (or positions, for packed batches) on the device; give them back with {@link #release}. */
    public record Staged(Tensor ids, Tensor mask, Tensor idsBuffer, Tensor maskBuffer) {}

    public Staged stage(long[] ids, long[] mask, int rows, int len) {
        Tensor a = acquire(ids.length);
        Tensor b;
        try {
            b = acquire(mask.length);
        } catch (RuntimeException e) {
            giveBack(a); // the first buffer is not lost when the second cannot be had
            throw e;
        }
        return new Staged(tensor(a, ids, rows, len), tensor(b, mask, rows, len), a, b);
    }

    private synchronized Tensor acquire(long values) {
        long size = Long.highestOneBit(Math.max(1, values - 1)) << 1;
        checkedOut++;
        Tensor t = free.computeIfAbsent(size, k -> new ArrayDeque<>()).poll();
        if (t != null) {
            return t;
        }
        t = torch.empty(new long[] {size}, new TensorOptions(ScalarType.Long).pinned_memory(new org.bytedeco.pytorch.BoolOptional(pinned)),
                new MemoryFormatOptional());
        t.retainReference(); // the pool owns it, not the scope of the batch that first needed it
        owned.add(t);
        return t;
    }

    private Tensor tensor(Tensor buffer, long[] values, int rows, int len) {
        buffer.data_ptr_long().capacity(values.length).put(values);
        Tensor view = buffer.narrow(0, 0, values.length).view(rows, len);
        // CPU: the view is the input; GPU: an asynchronous copy from pinned memory, done before the results are read
        return device.is_cuda() ? view.to(device, ScalarType.Long, true, false, new MemoryFormatOptional()) : view;
    }

    public synchronized void release(Staged s) {
        giveBack(s.idsBuffer());
        giveBack(s.maskBuffer());
    }

    private synchronized void giveBack(Tensor t) {
        free.get(t.numel()).push(t);
        checkedOut--;
    }

    /** Buffers allocated so far: constant once every size class has been seen. */
    public synchronized long allocations() {
        return owned.size();
    }

    /** Frees every buffer; one still checked out means a batch outlived its worker, which is a bug worth hearing of. */
    @Override
    public synchronized void close() {
        int leaked = checkedOut;
        owned.forEach(Tensor::releaseReference);
        owned.clear();
        free.clear();
        checkedOut = 0;
        if (leaked > 0) {
            throw new IllegalStateException(leaked + " input buffer(s) still in use when the staging closed");
        }
    }
}
