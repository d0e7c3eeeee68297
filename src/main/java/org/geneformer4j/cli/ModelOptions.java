package org.geneformer4j.cli;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.quant.Quantization;
import org.geneformer4j.tensor.Devices;
import picocli.CommandLine.Option;

/** The options of every command that runs a model: which model, on which devices, in which precision. */
final class ModelOptions {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "MODEL", description = "Registry name (geneformer models list) or checkpoint directory.")
    String model;

    @Option(names = "--model-version", description = "V1 or V2, for checkpoint directories whose vocabulary is not recognised.")
    String modelVersion;

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, cuda or cuda:N. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--devices", split = ",", paramLabel = "DEVICE",
            description = "Several devices, one model and worker each (e.g. 0,1 for cuda:0 and cuda:1); work is shared out among them. Overrides --device.")
    List<String> devices;

    @Option(names = "--dtype", defaultValue = "fp32", description = "fp32, bf16 or fp16 (reduced precision on GPUs). Default: ${DEFAULT-VALUE}.")
    String dtype;

    @Option(names = "--threads", description = "CPU threads for LibTorch (default: all cores).")
    Integer threads;

    @Option(names = "--quantize", paramLabel = "int8|nf4", description = "Quantized encoder weights (embeddings, LayerNorms"
            + " and heads stay in full precision): int8 (per-channel absmax; LLM.int8's int8 matrix products on the CPU"
            + " and on a GPU's tensor cores, for inference) or nf4 (bitsandbytes' 4-bit NormalFloat, computed in fp32; finetune trains LoRA adapters on it)."
            + " Default: full precision (for a LoRA adapter directory: what it was trained over).")
    String quantize;

    /** The devices to run on, the first being the main one. */
    List<Device> deviceList() {
        List<Device> out = new ArrayList<>();
        if (devices == null || devices.isEmpty()) {
            // each rank of a job on a node with several GPUs takes its own: "cuda" means cuda:LOCAL_RANK there
            org.geneformer4j.distributed.Cluster c = org.geneformer4j.distributed.Cluster.fromEnvironment();
            boolean plainCuda = device.trim().equalsIgnoreCase("cuda");
            out.add(Devices.parse(plainCuda && c.distributed() ? "cuda:" + c.localRank() : device));
        } else {
            for (String d : devices) {
                out.add(Devices.parse(d.matches("\\d+") ? "cuda:" + d : d));
            }
        }
        return out;
    }

    /** How the devices are named in log lines. */
    String deviceNames() {
        return devices == null || devices.isEmpty() ? device : String.join(",", devices);
    }

    /** Resolves the model (no weights loaded yet); a precision the device cannot run is refused first. */
    ModelSession open() {
        List<Device> d = deviceList();
        ScalarType t = Devices.dtype(dtype, d.get(0));
        return ModelSession.open(new ModelSession.Request(model, modelVersion, d, t, threads,
                quantize == null ? null : Quantization.parse(quantize)));
    }

    /** The precision for log lines: the dtype, and the weights' quantization if any. */
    String precision() {
        Quantization q = Quantization.parse(quantize);
        return q == Quantization.NONE ? dtype : dtype + ", " + q.label() + " weights";
    }
}
