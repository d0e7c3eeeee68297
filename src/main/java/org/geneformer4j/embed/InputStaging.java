package org.geneformer4j.embed;

import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.nativ.BufferPool;
import org.geneformer4j.nativ.NativeLibrary;

/**
 * A worker's input tensors built in pooled native buffers instead of fresh ones per batch: on the CPU the model
 * reads the buffer itself (no copy); on a GPU the buffer is pinned, so the copy to the device is asynchronous and
 * fast. The same {@link BufferPool} as the tokenizer's; after the first batches of each size class nothing more
 * is allocated ({@link #allocations()}).
 */
public final class InputStaging implements AutoCloseable {
    private final BufferPool pool;
    private final Device device;
    private final BufferPool.Kind kind;

    public InputStaging(Device device) {
        this.device = device;
        this.pool = new BufferPool(device.is_cuda() ? device.index() : 0);
        this.kind = device.is_cuda() && NativeLibrary.status().cudaDevices() > 0 ? BufferPool.Kind.PINNED : BufferPool.Kind.HOST;
    }

    /** Input ids and attention mask on the device; give the batch back with {@link #release} once its results are read. */
    public record Staged(Tensor ids, Tensor mask, BufferPool.Buffer idsBuffer, BufferPool.Buffer maskBuffer) {}

    public Staged stage(long[] ids, long[] mask, int rows, int len) {
        BufferPool.Buffer a = null, b = null;
        try {
            a = pool.acquire(kind, 8L * ids.length);
            b = pool.acquire(kind, 8L * mask.length);
            return new Staged(tensor(a, ids, rows, len), tensor(b, mask, rows, len), a, b);
        } catch (RuntimeException e) {
            // the caller gets no Staged to release: what was acquired goes back here, or the pool's close reports it
            if (a != null) pool.release(a);
            if (b != null) pool.release(b);
            throw e;
        }
    }

    private Tensor tensor(BufferPool.Buffer buf, long[] values, int rows, int len) {
        LongPointer p = new LongPointer(buf.pointer()).capacity(values.length);
        p.put(values);
        Tensor view = torch.from_blob(p, new long[] {rows, len}, new TensorOptions(ScalarType.Long));
        // CPU: the view is the input; GPU: an asynchronous copy from pinned memory, done before the results are read
        return device.is_cuda() ? view.to(device, ScalarType.Long, true, false, new MemoryFormatOptional()) : view;
    }

    public void release(Staged s) {
        pool.release(s.idsBuffer());
        pool.release(s.maskBuffer());
    }

    public long allocations() {
        return pool.allocations();
    }

    @Override
    public void close() {
        pool.close();
    }
}
