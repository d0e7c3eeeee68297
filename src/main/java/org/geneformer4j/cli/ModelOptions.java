package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.embed.ModelInputs;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Checkpoint;
import org.geneformer4j.model.Devices;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.LibTorch;
import org.geneformer4j.model.ModelCard;
import org.geneformer4j.model.ModelResolver;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import picocli.CommandLine.Option;

/** The options of every command that runs a model (embed, perturb): which model, on which devices, in which precision. */
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

    /** A resolved checkpoint: where it is, what it is, and the vocabulary its inputs use. */
    record Resolved(Optional<ModelCard> card, Path dir, Checkpoint checkpoint, ModelInputs inputs, GeneVocabulary vocab) {
        String name() {
            return card.map(ModelCard::name).orElse(dir.toString());
        }
    }

    /** The devices to run on, the first being the main one. */
    List<Device> deviceList() {
        List<Device> out = new ArrayList<>();
        if (devices == null || devices.isEmpty()) {
            out.add(Devices.parse(device));
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

    ScalarType scalarType() {
        return Devices.dtype(dtype, deviceList().get(0));
    }

    /** Sets the thread count, finds (or downloads) the checkpoint and reads its configuration. */
    Resolved resolve() {
        LibTorch.init(); // before the first LibTorch class: MKL must be chosen before OpenBLAS loads
        if (threads != null) {
            torch.set_num_threads(threads);
        }
        ModelResolver resolver = ModelResolver.standard();
        Optional<ModelCard> card = resolver.card(model);
        Path dir = resolver.resolve(model, Progress.forStderr("download", "bytes", 0));
        Checkpoint ckpt = Checkpoint.load(dir);
        ModelInputs inputs = ModelInputs.of(card, ckpt.config(), modelVersion);
        GeneVocabulary vocab = GeneVocabulary.builtin(inputs.vocabulary());
        if (vocab.size() > ckpt.config().vocabSize()) {
            throw new UserException(dir.resolve("config.json") + ": vocab_size " + ckpt.config().vocabSize() + " is smaller than the "
                    + vocab.size() + " tokens of the " + vocab.name() + " dictionary its " + inputs.version()
                    + " inputs use: is --model-version right for this model?");
        }
        return new Resolved(card, dir, ckpt, inputs, vocab);
    }

    /** The one device of a command that trains (data-parallel training is a later stage). */
    Device singleDevice() {
        List<Device> d = deviceList();
        if (d.size() > 1) {
            throw new UserException("this command runs on one device; give --device, not --devices");
        }
        return d.get(0);
    }

    /** One model per device, without a head; the caller closes them. */
    List<BertModel> load(Checkpoint ckpt) {
        List<BertModel> out = new ArrayList<>();
        ScalarType dt = scalarType();
        try {
            for (Device d : deviceList()) {
                out.add(BertModel.load(ckpt, Head.NONE, 0, d, dt, 0).model());
            }
        } catch (RuntimeException e) {
            out.forEach(BertModel::close);
            throw e;
        }
        return out;
    }
}
