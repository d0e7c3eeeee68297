package org.geneformer4j.tensor;

import org.geneformer4j.checkpoint.DType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.tensor.Tensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.MemoryFormatOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/** Copies between Java arrays, checkpoint tensors and LibTorch tensors. */
public final class Tensors {
    static {
        LibTorch.init();
    }

    private Tensors() {}

    /** A LibTorch tensor holding its own copy of {@code t}, converted to {@code dtype} on {@code device}. */
    public static Tensor toTorch(HostTensor t, Device device, ScalarType dtype) {
        BytePointer p = new BytePointer(t.data());
        Tensor view = torch.from_blob(p, t.shape(), new TensorOptions(t.dtype().scalarType));
        Tensor owned = view.to(device, dtype == null ? t.dtype().scalarType : dtype, false, true, new MemoryFormatOptional());
        view.close();
        p.close();
        return owned;
    }

    public static Tensor longs(long[] values, long... shape) {
        return copyOf(new LongPointer(values), shape, ScalarType.Long);
    }

    public static Tensor floats(float[] values, long... shape) {
        return copyOf(new FloatPointer(values), shape, ScalarType.Float);
    }

    /** A tensor owning a copy of the native buffer {@code p}, which is freed here. */
    private static Tensor copyOf(org.bytedeco.javacpp.Pointer p, long[] shape, ScalarType type) {
        Tensor view = torch.from_blob(p, shape, new TensorOptions(type));
        Tensor owned = view.clone();
        view.close();
        p.close();
        return owned;
    }

    /** The values of {@code t} as floats in row-major order, copied to the host. */
    public static float[] floatArray(Tensor t) {
        Tensor c = t.to(ScalarType.Float).cpu().contiguous();
        int n = Math.toIntExact(c.numel());
        float[] out = new float[n];
        FloatPointer p = c.data_ptr_float();
        p.capacity(n).get(out);
        return out;
    }

    public static long[] longArray(Tensor t) {
        Tensor c = t.to(ScalarType.Long).cpu().contiguous();
        int n = Math.toIntExact(c.numel());
        long[] out = new long[n];
        c.data_ptr_long().capacity(n).get(out);
        return out;
    }

    public static long[] shape(Tensor t) {
        long[] s = new long[(int) t.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = t.size(i);
        }
        return s;
    }

    /** A host copy in the checkpoint's representation (for saving). */
    public static HostTensor toHost(Tensor t) {
        Tensor c = t.cpu().contiguous();
        DType dt = DType.of(c.scalar_type());
        long bytes = c.numel() * dt.bytes;
        ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        BytePointer src = new BytePointer(c.data_ptr()).capacity(bytes);
        b.put(src.asByteBuffer());
        b.flip();
        return new HostTensor(dt, shape(c), b);
    }
}
