package org.geneformer4j.distributed;

import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.geneformer4j.util.UserException;

/** Which c10d backend carries a job's collectives ({@code --ddp-backend}). */
public enum DistBackend {
    /** NCCL when training on CUDA devices, Gloo on CPUs: torch.distributed's own default. */
    AUTO,
    GLOO,
    NCCL;

    public static DistBackend parse(String s) {
        try {
            return valueOf(s.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("--ddp-backend is '" + s + "': use auto, gloo or nccl");
        }
    }

    /** The backend for ranks that train on {@code device}; NCCL on a CPU is refused. */
    public DistBackend resolve(Device device) {
        boolean cuda = device.is_cuda();
        return switch (this) {
            case AUTO -> cuda ? NCCL : GLOO;
            case NCCL -> {
                if (!cuda) {
                    throw new UserException("--ddp-backend nccl needs CUDA devices (--device cuda); on CPUs use gloo");
                }
                yield NCCL;
            }
            case GLOO -> GLOO;
        };
    }
}
