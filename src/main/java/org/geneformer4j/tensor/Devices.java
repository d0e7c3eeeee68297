package org.geneformer4j.tensor;

import org.geneformer4j.tensor.Devices;
import org.geneformer4j.tensor.LibTorch;

import java.util.Locale;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.util.UserException;

/** Parses {@code --device} and {@code --dtype} and checks that the request can be served. */
public final class Devices {
    static {
        LibTorch.init();
    }

    private Devices() {}

    public static Device parse(String spec) {
        AttentionKernels.fromEnvironment();
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("cpu")) {
            return new Device(torch.DeviceType.CPU, (byte) -1);
        }
        if (s.equals("cuda") || s.matches("cuda:\\d+")) {
            int index = s.equals("cuda") ? 0 : Integer.parseInt(s.substring(5));
            if (!torch.cuda_is_available()) {
                throw new UserException("--device " + spec + " requested but LibTorch sees no CUDA device"
                        + " (no GPU here, or a CPU-only build: build with './mvnw -Pgpu package')");
            }
            long count = torch.cuda_device_count();
            if (index >= count) {
                throw new UserException("--device " + spec + ": only " + count + " CUDA device(s) present");
            }
            return new Device(torch.DeviceType.CUDA, (byte) index);
        }
        throw new UserException("unknown --device '" + spec + "' (cpu, cuda or cuda:N)");
    }

    public static ScalarType dtype(String spec, Device device) {
        ScalarType t = switch (spec.trim().toLowerCase(Locale.ROOT)) {
            case "fp32", "float32" -> ScalarType.Float;
            case "bf16", "bfloat16" -> ScalarType.BFloat16;
            case "fp16", "float16" -> ScalarType.Half;
            default -> throw new UserException("unknown --dtype '" + spec + "' (fp32, bf16 or fp16)");
        };
        if (t != ScalarType.Float && device.is_cpu()) {
            throw new UserException("--dtype " + spec + " is for GPUs; on the CPU use fp32");
        }
        return t;
    }
}
