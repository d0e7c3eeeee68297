package org.geneformer4j.tensor;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.DeviceType;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * LibTorch's automatic mixed precision, {@code torch.autocast}, on the current thread, for the region of a
 * try-with-resources: while it is open, the operations LibTorch lists as safe in reduced precision (matrix products:
 * linear, matmul, scaled-dot-product attention) cast their inputs to {@code dtype}, and those it lists as needing fp32
 * (losses, norms, softmax on GPUs) run in fp32. Parameters stay in fp32: each region casts a weight once (autocast's
 * weight cache), the cast is recorded by autograd, so gradients reach the fp32 weights in fp32 and the optimizer
 * updates fp32 master weights, as PyTorch's AMP does. The region is a forward pass and its loss; the backward pass
 * runs after it closes (it replays what the region recorded), as PyTorch recommends.
 *
 * <p>As Python's context manager: closing restores the previous state, and the outermost region clears the weight
 * cache, whose copies would otherwise be stale after the next optimizer step. The state is per thread and per device
 * type (CPU and CUDA each have theirs).
 */
public final class Autocast implements AutoCloseable {
    static {
        LibTorch.init();
    }

    private final DeviceType type;
    private final boolean wasEnabled;
    private final ScalarType wasDtype;
    private final boolean active;

    private Autocast(DeviceType type, ScalarType dtype, boolean active) {
        this.type = type;
        this.active = active;
        if (!active) {
            wasEnabled = false;
            wasDtype = null;
            return;
        }
        wasEnabled = torch.is_autocast_enabled(type);
        wasDtype = torch.get_autocast_dtype(type);
        torch.set_autocast_dtype(type, dtype);
        torch.set_autocast_enabled(type, true);
        torch.increment_nesting();
    }

    /**
     * Autocast to {@code dtype} on {@code device}'s type; for fp32 nothing at all (the region runs as it would
     * without), so callers need no branch.
     */
    public static Autocast to(Device device, ScalarType dtype) {
        boolean reduced = dtype.value != ScalarType.Float.value;
        return new Autocast(device.type(), dtype, reduced);
    }

    /** Whether autocast is on for {@code device}'s type on this thread. */
    public static boolean enabled(Device device) {
        return torch.is_autocast_enabled(device.type());
    }

    @Override
    public void close() {
        if (!active) {
            return;
        }
        if (torch.decrement_nesting() == 0) {
            torch.clear_cache();
        }
        torch.set_autocast_enabled(type, wasEnabled);
        torch.set_autocast_dtype(type, wasDtype);
    }
}
