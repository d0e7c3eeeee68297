package org.geneformer4j.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.tensor.Devices;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.hub.ModelResolver;
import org.geneformer4j.quant.PeftAdapter;
import org.geneformer4j.quant.Quantization;
import org.geneformer4j.quant.Quantizer;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * A model on its devices for the length of a run: resolves the name or directory (downloading into the Hugging Face
 * cache if needed), reads what inputs the model expects, and loads one {@link Worker} per device. It owns what it
 * loads: closing the session closes every worker, the first error winning. Stages get from it the token check for
 * their {@link CellQuery}, the token cap for their {@link BatchPlan}, and the workers that run their batches.
 *
 * <p>New ways to run a model (data-parallel ranks, quantized weights) belong here, so that every stage gets them.
 */
public final class ModelSession implements AutoCloseable {
    /** Tokens per forward pass when the user gives no cap: on the CPU activations that stay in cache beat big batches. */
    public static final long CPU_MAX_TOKENS = 16384;
    public static final long GPU_MAX_TOKENS = 131072;

    /**
     * What to run: a registry name or checkpoint directory, the input version for directories whose vocabulary is
     * not recognised (or null), the devices (the first is the main one), the precision, LibTorch's CPU threads and
     * how the encoder's weights are quantized: null when not asked, which is full precision, or for a LoRA adapter
     * directory what it was trained over (reduced precision is opt-in).
     */
    public record Request(String model, String modelVersion, List<Device> devices, ScalarType dtype, Integer threads,
            Quantization quantize) {
        /** Full-precision weights. */
        public Request(String model, String modelVersion, List<Device> devices, ScalarType dtype, Integer threads) {
            this(model, modelVersion, devices, dtype, threads, null);
        }
    }

    private final Request request;
    private final Optional<ModelCard> card;
    private final Path dir;
    private final Checkpoint checkpoint;
    private final ModelInputs inputs;
    private final GeneVocabulary vocab;
    private final PeftAdapter.Adapter adapter;
    private final Quantization quantize;
    private final List<Worker> workers = new ArrayList<>();
    private org.geneformer4j.distributed.DataParallel parallel;

    private ModelSession(Request request, Optional<ModelCard> card, Path dir, Checkpoint checkpoint, ModelInputs inputs,
            GeneVocabulary vocab, PeftAdapter.Adapter adapter) {
        this.request = request;
        this.card = card;
        this.dir = dir;
        this.checkpoint = checkpoint;
        this.inputs = inputs;
        this.vocab = vocab;
        this.adapter = adapter;
        Quantization q = request.quantize();
        if (q == null) {
            q = adapter != null && adapter.baseQuantization() != null ? adapter.baseQuantization() : Quantization.NONE;
        }
        this.quantize = q;
    }

    /** Sets LibTorch's threads, finds (or downloads) the checkpoint and reads its configuration; loads no weights yet. */
    public static ModelSession open(Request request) {
        LibTorch.init(); // before the first LibTorch class: MKL must be chosen before OpenBLAS loads
        if (request.threads() != null) {
            torch.set_num_threads(request.threads());
        }
        ModelResolver resolver = ModelResolver.standard();
        Optional<ModelCard> card = resolver.card(request.model());
        Path dir = resolver.resolve(request.model(), Progress.forStderr("download", "bytes", 0));
        PeftAdapter.Adapter adapter = null;
        Checkpoint ckpt;
        if (PeftAdapter.isAdapter(dir)) {
            // a LoRA adapter: the base's weights, with the classifier's config.json when the adapter has one
            adapter = PeftAdapter.read(dir);
            Path base = adapterBase(adapter, resolver);
            card = resolver.card(adapter.baseModel());
            Checkpoint b = Checkpoint.load(base);
            ckpt = adapter.config() == null ? b : new Checkpoint(b.directory(), adapter.config(), b.tensors(), b.weightsFile());
        } else {
            ckpt = Checkpoint.load(dir);
        }
        ModelInputs inputs = ModelInputs.of(card, ckpt.config(), request.modelVersion());
        GeneVocabulary vocab = GeneVocabulary.builtin(inputs.vocabulary());
        if (vocab.size() > ckpt.config().vocabSize()) {
            throw new UserException(dir.resolve("config.json") + ": vocab_size " + ckpt.config().vocabSize() + " is smaller than the "
                    + vocab.size() + " tokens of the " + vocab.name() + " dictionary its " + inputs.version()
                    + " inputs use: is --model-version right for this model?");
        }
        return new ModelSession(request, card, dir, ckpt, inputs, vocab, adapter);
    }

    /** The base an adapter names (peft's base_model_name_or_path): a registry name, or a directory, relative ones from the adapter's. */
    private static Path adapterBase(PeftAdapter.Adapter a, ModelResolver resolver) {
        String b = a.baseModel();
        if (b == null || b.isBlank()) {
            throw new UserException(a.dir().resolve(PeftAdapter.CONFIG) + " names no base model (base_model_name_or_path)");
        }
        Path p = Path.of(b);
        if (!p.isAbsolute() && !java.nio.file.Files.isDirectory(p) && java.nio.file.Files.isDirectory(a.dir().resolve(p))) {
            b = a.dir().resolve(p).toString();
        }
        return resolver.resolve(b, Progress.forStderr("download", "bytes", 0));
    }

    /** The registry name, or the checkpoint directory. */
    public String name() {
        return card.map(ModelCard::name).orElse(dir.toString());
    }

    public Checkpoint checkpoint() {
        return checkpoint;
    }

    public BertConfig config() {
        return checkpoint.config();
    }

    public ModelInputs inputs() {
        return inputs;
    }

    public GeneVocabulary vocab() {
        return vocab;
    }

    public ScalarType dtype() {
        return request.dtype();
    }

    /** The weights' quantization: as asked, else what an adapter was trained over, else none. */
    public Quantization quantize() {
        return quantize;
    }

    /** The LoRA adapter the model directory holds, or null. */
    public PeftAdapter.Adapter adapter() {
        return adapter;
    }

    public List<Device> devices() {
        return request.devices();
    }

    /** The one device of a run that trains on one. */
    public Device device() {
        if (request.devices().size() > 1) {
            throw new UserException("this command runs on one device; give --device, not --devices");
        }
        return request.devices().get(0);
    }

    /** Checks tokenized cells against this model (vocabulary, positions, special tokens). */
    public TokenCheck tokenCheck() {
        return new TokenCheck(config(), vocab, inputs.specialTokens());
    }

    /** The user's cap on tokens per forward pass, or the default for the main device's kind. */
    public long maxTokens(Long requested) {
        return defaultMaxTokens(request.devices().get(0), requested);
    }

    public static long defaultMaxTokens(Device device, Long requested) {
        long cap = requested != null ? requested : device.is_cpu() ? CPU_MAX_TOKENS : GPU_MAX_TOKENS;
        if (cap < 1) {
            throw new UserException("--max-tokens must be positive");
        }
        return cap;
    }

    /** Loads the encoder (no head) once per device. */
    public List<Worker> load() {
        return load(Head.NONE, List.of());
    }

    /** Loads the model with {@code head} (its classes, for a classifier) once per device, quantized if asked. */
    public List<Worker> load(Head head, List<String> labels) {
        if (!workers.isEmpty()) {
            throw new IllegalStateException("the session's model is already loaded");
        }
        for (Device d : request.devices()) {
            // quantized layers are made from the checkpoint one at a time: the fp32 weights are never all resident
            BertModel.Loaded loaded = BertModel.load(checkpoint, head, labels, d, request.dtype(), 0,
                    Quantizer.onHost(checkpoint.config(), quantize));
            BertModel m = loaded.model();
            try {
                if (adapter != null) {
                    PeftAdapter.apply(m, adapter, quantize, loaded.onHost());
                } else {
                    Quantizer.install(m, quantize, loaded.onHost());
                }
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            workers.add(Worker.owning(m));
        }
        return List.copyOf(workers);
    }

    public List<Worker> workers() {
        return List.copyOf(workers);
    }

    /**
     * The data-parallel job this process is a rank of (from the environment torchrun, Slurm or
     * {@code --nproc-per-node} set), joined on first use over {@code backend} (resolved for this session's device);
     * a job of one when there is none. Closed with the session.
     */
    public org.geneformer4j.distributed.DataParallel parallel(java.time.Duration timeout,
            org.geneformer4j.distributed.DistBackend backend) {
        if (parallel == null) {
            parallel = org.geneformer4j.distributed.DataParallel.join(org.geneformer4j.distributed.Cluster.fromEnvironment(),
                    timeout, backend, device());
        }
        return parallel;
    }

    /** Closes every worker; the first failure is thrown once all were tried. */
    @Override
    public void close() {
        RuntimeException first = null;
        if (parallel != null) {
            try {
                parallel.close();
            } catch (RuntimeException e) {
                first = e;
            }
            parallel = null;
        }
        for (Worker w : workers) {
            try {
                w.close();
            } catch (RuntimeException e) {
                if (first == null) {
                    first = e;
                } else {
                    first.addSuppressed(e);
                }
            }
        }
        workers.clear();
        if (first != null) {
            throw first;
        }
    }
}
