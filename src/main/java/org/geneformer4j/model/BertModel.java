package org.geneformer4j.model;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.CallScope;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.tensor.Tensors;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.util.UserException;

/**
 * Hugging Face BERT (post-LayerNorm, absolute positions, token type 0) written with LibTorch operations, with the
 * heads Geneformer uses. Parameters carry transformers' names, so checkpoints load and save without renaming.
 *
 * <p>Native memory: parameters live until {@link #close()}. Each forward pass allocates its activations in the
 * caller's {@link PointerScope}; callers wrap a batch in one so memory stays flat however many batches run.
 */
public final class BertModel implements AutoCloseable {
    static {
        LibTorch.init();
    }

    private final BertConfig config;
    private final Head head;
    private final Device device;
    private final ScalarType dtype;
    private final Map<String, Tensor> params;
    private boolean training;
    private LinearLayers linears;
    private java.util.function.Predicate<String> trainable = name -> true;

    private BertModel(BertConfig config, Head head, Device device, ScalarType dtype, Map<String, Tensor> params) {
        this.config = config;
        this.head = head;
        this.device = device;
        this.dtype = dtype;
        this.params = params;
    }

    /** Loads a checkpoint onto {@code device} in {@code dtype}, with {@code head} (tensors it lacks are reported). */
    public static Loaded load(Checkpoint ckpt, Head head, int numLabels, Device device, ScalarType dtype, long seed) {
        return load(ckpt, head, labelsOrDefault(ckpt.config(), numLabels), device, dtype, seed);
    }

    /** As {@link #load(Checkpoint, Head, int, Device, ScalarType, long)}, naming the classes (id2label) in order. */
    public static Loaded load(Checkpoint ckpt, Head head, List<String> labels, Device device, ScalarType dtype, long seed) {
        return load(ckpt, head, labels, device, dtype, seed, java.util.Set.of());
    }

    /**
     * As {@link #load(Checkpoint, Head, List, Device, ScalarType, long)}, leaving the tensors named in {@code onHost}
     * in the checkpoint ({@link Loaded#onHost()}) instead of making parameters of them: quantized layers are built
     * from there one at a time ({@link #replaceLinears}), so the full-precision weights are never all resident.
     */
    public static Loaded load(Checkpoint ckpt, Head head, List<String> labels, Device device, ScalarType dtype, long seed,
            java.util.Set<String> onHost) {
        int numLabels = labels.size();
        BertConfig config = ckpt.config();
        Map<String, long[]> expected = expectedShapes(config, head, numLabels);
        List<String> unexpected = new ArrayList<>();
        for (String k : ckpt.tensors().keySet()) {
            if (!expected.containsKey(k) && !ignorable(k, head)) {
                unexpected.add(k);
            }
        }
        List<String> missing = new ArrayList<>();
        List<String> initialised = new ArrayList<>();
        Map<String, Tensor> params = new LinkedHashMap<>();
        Map<String, HostTensor> host = new LinkedHashMap<>();
        Random rng = new Random(seed);
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, long[]> e : expected.entrySet()) {
                String name = e.getKey();
                HostTensor t = ckpt.tensors().get(name);
                Tensor p;
                if (t != null) {
                    if (!java.util.Arrays.equals(t.shape(), e.getValue())) {
                        throw new UserException(ckpt.weightsFile() + ": tensor " + name + " has shape "
                                + java.util.Arrays.toString(t.shape()) + ", config.json implies "
                                + java.util.Arrays.toString(e.getValue()));
                    }
                    if (onHost.contains(name)) {
                        host.put(name, t);
                        continue;
                    }
                    p = Tensors.toTorch(t, device, dtype);
                } else if (isHeadParameter(name)) {
                    initialised.add(name);
                    p = initialise(name, e.getValue(), config, rng).to(device, dtype);
                } else {
                    missing.add(name);
                    continue;
                }
                p.retainReference();
                params.put(name, p);
            }
        }
        if (!missing.isEmpty()) {
            params.values().forEach(Tensor::releaseReference);
            throw new UserException(ckpt.weightsFile() + " lacks " + missing.size() + " tensor(s) the model needs: "
                    + summarise(missing));
        }
        BertModel m = new BertModel(config.withHead(head == Head.NONE ? Head.MLM.architecture : head.architecture,
                head == Head.NONE || head == Head.MLM ? config.labels() : labels),
                head, device, dtype, params);
        return new Loaded(m, List.copyOf(unexpected), List.copyOf(initialised), java.util.Collections.unmodifiableMap(host));
    }

    /**
     * The model plus what loading noticed: checkpoint tensors it did not use, head tensors it initialised, and the
     * tensors left on the host as asked (not parameters of the model until something builds layers of them).
     */
    public record Loaded(BertModel model, List<String> unexpected, List<String> initialised, Map<String, HostTensor> onHost) {}

    private static List<String> labelsOrDefault(BertConfig config, int numLabels) {
        if (config.labels().size() == numLabels) {
            return config.labels();
        }
        List<String> l = new ArrayList<>();
        for (int i = 0; i < numLabels; i++) {
            l.add("LABEL_" + i);
        }
        return l;
    }

    static String summarise(List<String> names) {
        return names.size() <= 6 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 6)) + ", ... (" + (names.size() - 6) + " more)";
    }

    private static boolean ignorable(String name, Head head) {
        // position_ids is a buffer older transformers saved; the decoder weight is tied to the word embeddings;
        // heads other than the requested one are dropped, as transformers does when it loads a backbone.
        return name.equals("bert.embeddings.position_ids") || name.equals("cls.predictions.decoder.weight")
                || name.equals("cls.predictions.decoder.bias")
                || (head != Head.MLM && name.startsWith("cls."))
                || (head != Head.SEQUENCE_CLASSIFICATION && name.startsWith("bert.pooler."))
                || (head == Head.NONE && name.startsWith("classifier."));
    }

    /**
     * Head tensors a checkpoint may lack: pooler and classifier when a classifier starts from a pretrained (MLM)
     * checkpoint, the masked-gene head when pretraining continues from a classifier's.
     */
    private static boolean isHeadParameter(String name) {
        return name.startsWith("classifier.") || name.startsWith("bert.pooler.") || name.startsWith("cls.predictions.");
    }

    /** Shapes of every parameter the model with {@code head} needs, in transformers' order. */
    static Map<String, long[]> expectedShapes(BertConfig c, Head head, int numLabels) {
        Map<String, long[]> s = new LinkedHashMap<>();
        long h = c.hiddenSize();
        long f = c.intermediateSize();
        s.put("bert.embeddings.word_embeddings.weight", new long[] {c.vocabSize(), h});
        s.put("bert.embeddings.position_embeddings.weight", new long[] {c.maxPositions(), h});
        s.put("bert.embeddings.token_type_embeddings.weight", new long[] {c.typeVocabSize(), h});
        s.put("bert.embeddings.LayerNorm.weight", new long[] {h});
        s.put("bert.embeddings.LayerNorm.bias", new long[] {h});
        for (int i = 0; i < c.numLayers(); i++) {
            String p = "bert.encoder.layer." + i + ".";
            for (String qkv : List.of("query", "key", "value")) {
                s.put(p + "attention.self." + qkv + ".weight", new long[] {h, h});
                s.put(p + "attention.self." + qkv + ".bias", new long[] {h});
            }
            s.put(p + "attention.output.dense.weight", new long[] {h, h});
            s.put(p + "attention.output.dense.bias", new long[] {h});
            s.put(p + "attention.output.LayerNorm.weight", new long[] {h});
            s.put(p + "attention.output.LayerNorm.bias", new long[] {h});
            s.put(p + "intermediate.dense.weight", new long[] {f, h});
            s.put(p + "intermediate.dense.bias", new long[] {f});
            s.put(p + "output.dense.weight", new long[] {h, f});
            s.put(p + "output.dense.bias", new long[] {h});
            s.put(p + "output.LayerNorm.weight", new long[] {h});
            s.put(p + "output.LayerNorm.bias", new long[] {h});
        }
        switch (head) {
            case MLM -> {
                s.put("cls.predictions.bias", new long[] {c.vocabSize()});
                s.put("cls.predictions.transform.dense.weight", new long[] {h, h});
                s.put("cls.predictions.transform.dense.bias", new long[] {h});
                s.put("cls.predictions.transform.LayerNorm.weight", new long[] {h});
                s.put("cls.predictions.transform.LayerNorm.bias", new long[] {h});
            }
            case SEQUENCE_CLASSIFICATION -> {
                s.put("bert.pooler.dense.weight", new long[] {h, h});
                s.put("bert.pooler.dense.bias", new long[] {h});
                s.put("classifier.weight", new long[] {numLabels, h});
                s.put("classifier.bias", new long[] {numLabels});
            }
            case TOKEN_CLASSIFICATION -> {
                s.put("classifier.weight", new long[] {numLabels, h});
                s.put("classifier.bias", new long[] {numLabels});
            }
            case NONE -> { }
        }
        return s;
    }

    /** A head tensor the checkpoint lacks, as transformers would make it ({@link RandomInit#values}). */
    private static Tensor initialise(String name, long[] shape, BertConfig c, Random rng) {
        return Tensors.floats(RandomInit.values(name, shape, c, rng::nextGaussian), shape);
    }

    public BertConfig config() {
        return config;
    }

    public Head head() {
        return head;
    }

    public Device device() {
        return device;
    }

    public ScalarType dtype() {
        return dtype;
    }

    /** Parameters by transformers name (for optimisers and saving). */
    public Map<String, Tensor> parameters() {
        return Collections.unmodifiableMap(params);
    }

    /**
     * Adds a parameter that lives outside transformers' BERT (a multi-task model's pooling vector and heads), so that
     * the one trainer, checkpoint and best-model code that handle the encoder handle it too: it is listed by
     * {@link #parameters()}, written by {@link #save} and restored by {@link #loadParameters}. The model keeps its own
     * reference, released by {@link #close()}.
     */
    public void attach(String name, Tensor value) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("the model already has a parameter " + name);
        }
        value.retainReference();
        params.put(name, value);
    }

    /**
     * Hands the layers {@code layers} names over to it (quantized or adapted weights); the model's own weight and bias
     * of those layers, where it loaded them, are freed, so that the full-precision copy does not stay resident beside
     * the quantized one, and the layers' added parameters join {@link #parameters()}. The model closes {@code layers}.
     */
    public void replaceLinears(LinearLayers layers) {
        if (linears != null) {
            throw new IllegalStateException("the model's linear layers are already replaced");
        }
        for (String name : layers.names()) {
            for (String suffix : List.of(".weight", ".bias")) {
                Tensor t = params.remove(name + suffix);
                if (t != null) {
                    t.releaseReference();
                }
            }
        }
        for (Map.Entry<String, Tensor> e : layers.parameters().entrySet()) {
            e.getValue().retainReference();
            params.put(e.getKey(), e.getValue());
        }
        linears = layers;
    }

    /** The replaced linear layers, or null when every layer runs on the model's own weights. */
    public LinearLayers linears() {
        return linears;
    }

    /** Limits which parameters a trainer may train (adapter fine-tuning trains adapters and the head only). */
    public void restrictTraining(java.util.function.Predicate<String> mayTrain) {
        this.trainable = mayTrain;
    }

    /** Whether a trainer may train parameter {@code name}: all by default. */
    public boolean mayTrain(String name) {
        return trainable.test(name);
    }

    /** Train mode turns dropout on, as {@code model.train()} does. */
    public void train(boolean on) {
        this.training = on;
    }

    public boolean training() {
        return training;
    }

    private Tensor p(String name) {
        Tensor t = params.get(name);
        if (t == null) {
            throw new IllegalStateException("no parameter " + name);
        }
        return t;
    }

    /**
     * Runs the model. {@code inputIds} and {@code attentionMask} are [batch, len] int64 on this model's device
     * (mask 1 for tokens, 0 for padding; right padding). Positions count from 0 in every row, as in transformers.
     */
    public BertOutput forward(Tensor inputIds, Tensor attentionMask, boolean allHiddenStates, boolean attentions) {
        return forward(inputIds, attentionMask, allHiddenStates, attentions, config.numLayers());
    }

    /**
     * As {@link #forward(Tensor, Tensor, boolean, boolean)}, stopping after {@code layers} encoder layers: an
     * embedding of layer L-1 (upstream's emb_layer -1) need not run layer L. The head runs only after all layers.
     */
    public BertOutput forward(Tensor inputIds, Tensor attentionMask, boolean allHiddenStates, boolean attentions,
            int layers) {
        return run(inputIds, attentionMask, allHiddenStates, attentions, layers, layers == config.numLayers());
    }

    /**
     * The last layer's hidden states [batch, len, hidden] without the head: for a loss that needs the head at a few
     * positions only (masked gene modelling applies {@link #mlmLogits} to the 15 % it predicts).
     */
    public Tensor encode(Tensor inputIds, Tensor attentionMask) {
        return run(inputIds, attentionMask, false, false, config.numLayers(), false).lastHiddenState();
    }

    private BertOutput run(Tensor inputIds, Tensor attentionMask, boolean allHiddenStates, boolean attentions,
            int layers, boolean withHead) {
        long len = inputIds.size(1);
        if (len > config.maxPositions()) {
            throw new UserException("input of " + len + " tokens exceeds the model's " + config.maxPositions()
                    + " positions");
        }
        Tensor positions = torch.arange(new org.bytedeco.pytorch.Scalar(len),
                new org.bytedeco.pytorch.TensorOptions(ScalarType.Long).device(new org.bytedeco.pytorch.DeviceOptional(device)));
        Tensor x = embeddings(inputIds, positions.unsqueeze(0));
        // Boolean mask, true where a key may be attended: [batch, 1, 1, len].
        // Without padding no mask is needed, and SDPA can then take its fused (flash) kernel instead of the
        // masked path that materialises every [len, len] score matrix: the long, truncated cells of a
        // length-sorted dataset come in unpadded batches.
        boolean padded = attentionMask.numel() > 0 && attentionMask.min().item_long() == 0;
        Tensor keep = padded ? attentionMask.to(ScalarType.Bool).unsqueeze(1).unsqueeze(2) : null;
        List<Tensor> hidden = new ArrayList<>();
        List<Tensor> attn = new ArrayList<>();
        if (allHiddenStates) {
            hidden.add(x);
        }
        Attention attention = padded(keep, attentions ? attn : null);
        for (int i = 0; i < layers; i++) {
            x = attentions ? layer(i, x, attention) : scopedLayer(i, x, attention);
            if (allHiddenStates) {
                hidden.add(x);
            }
        }
        if (!allHiddenStates) {
            hidden.add(x);
        }
        return new BertOutput(hidden, attn, withHead ? headOutput(x) : null);
    }

    /** Attention's context for q, k, v of a layer's input, in the input's shape [.., hidden]. */
    private interface Attention {
        Tensor context(Tensor q, Tensor k, Tensor v);
    }

    /** Padded batches [batch, len, hidden]: SDPA with the key mask, or the explicit path when weights are wanted. */
    private Attention padded(Tensor keep, List<Tensor> attnOut) {
        return (q0, k0, v0) -> {
            long b = q0.size(0);
            long len = q0.size(1);
            long heads = config.numHeads();
            long hd = config.headDim();
            Tensor q = q0.view(b, len, heads, hd).transpose(1, 2);
            Tensor k = k0.view(b, len, heads, hd).transpose(1, 2);
            Tensor v = v0.view(b, len, heads, hd).transpose(1, 2);
            Tensor ctx;
            if (attnOut == null) {
                ctx = torch.scaled_dot_product_attention(q, k, v, keep == null ? new TensorOptional() : new TensorOptional(keep),
                        training ? config.attentionDropout() : 0.0, false, new DoubleOptional(), false);
            } else {
                // Explicit path when the weights themselves are wanted (as transformers' eager attention).
                Tensor scores = torch.matmul(q, k.transpose(-1, -2)).div(new org.bytedeco.pytorch.Scalar(Math.sqrt(hd)));
                if (keep != null) {
                    scores = scores.masked_fill(keep.logical_not(), new org.bytedeco.pytorch.Scalar(Float.NEGATIVE_INFINITY));
                }
                Tensor probs = torch.softmax(scores, -1);
                attnOut.add(probs);
                ctx = torch.matmul(dropout(probs, config.attentionDropout()), v);
            }
            return ctx.transpose(1, 2).reshape(b, len, config.hiddenSize());
        };
    }

    /** Packed batches [tokens, hidden]: attention within each cell ({@link PackedAttention}). */
    private Attention packed(PackedLayout layout, Tensor cumulative) {
        return (q, k, v) -> {
            long t = q.size(0);
            long heads = config.numHeads();
            long hd = config.headDim();
            return PackedAttention.attend(q.view(t, heads, hd), k.view(t, heads, hd), v.view(t, heads, hd), layout,
                    cumulative, training ? config.attentionDropout() : 0.0).reshape(t, config.hiddenSize());
        };
    }

    /**
     * Layer {@code i} in a scope of its own ({@link CallScope}): a forward pass holds one
     * layer's activations at a time, not every layer's. Not for attention weights wanted as output, which the layer
     * adds to a list.
     */
    private Tensor scopedLayer(int i, Tensor x, Attention attention) {
        return CallScope.run(() -> layer(i, x, attention));
    }

    /** One encoder layer; every operation but attention is per token, so padded and packed inputs share it. */
    private Tensor layer(int i, Tensor x, Attention attention) {
        String p = "bert.encoder.layer." + i + ".";
        Tensor ctx = attention.context(linear(x, p + "attention.self.query"), linear(x, p + "attention.self.key"),
                linear(x, p + "attention.self.value"));
        Tensor a = layerNorm(dropout(linear(ctx, p + "attention.output.dense"), config.hiddenDropout()).add(x),
                p + "attention.output.LayerNorm");
        Tensor f = activation(linear(a, p + "intermediate.dense"));
        return layerNorm(dropout(linear(f, p + "output.dense"), config.hiddenDropout()).add(a), p + "output.LayerNorm");
    }

    /** Word + position + token-type-0 embeddings, LayerNorm, dropout; {@code positions} broadcast against the ids. */
    private Tensor embeddings(Tensor inputIds, Tensor positions) {
        // padding_idx as transformers' nn.Embedding(padding_idx=pad_token_id): the lookup sends no gradient to <pad>'s
        // row (same forward); it matters where MLM's random replacement puts <pad>'s id inside a cell
        Tensor x = torch.embedding(p("bert.embeddings.word_embeddings.weight"), inputIds, config.padTokenId(), false, false)
                .add(torch.embedding(p("bert.embeddings.position_embeddings.weight"), positions))
                .add(p("bert.embeddings.token_type_embeddings.weight").select(0, 0));
        return dropout(layerNorm(x, "bert.embeddings.LayerNorm"), config.hiddenDropout());
    }

    /**
     * Runs the model on cells packed end to end without padding ({@link PackedLayout}): {@code inputIds} and
     * {@code positions} are [tokens] int64 on this model's device, {@code cumulative} the layout's cumulative
     * lengths there ({@link PackedLayout#cumulative}). Hidden states are [tokens, hidden]; the head runs only after
     * all layers, on the first token of each cell for sequence classification ([cells, labels]) and on every token
     * otherwise. Equal to {@link #forward} on the same cells padded, token for token.
     */
    public BertOutput forwardPacked(Tensor inputIds, Tensor positions, PackedLayout layout, Tensor cumulative, int layers) {
        return runPacked(inputIds, positions, layout, cumulative, layers, layers == config.numLayers());
    }

    /**
     * The last layer's hidden states of a packed batch [tokens, hidden] without the head: {@link #encode} for packed
     * inputs (masked gene modelling applies {@link #mlmLogits} to the positions it predicts only).
     */
    public Tensor encodePacked(Tensor inputIds, Tensor positions, PackedLayout layout, Tensor cumulative) {
        return runPacked(inputIds, positions, layout, cumulative, config.numLayers(), false).lastHiddenState();
    }

    private BertOutput runPacked(Tensor inputIds, Tensor positions, PackedLayout layout, Tensor cumulative, int layers,
            boolean withHead) {
        if (layout.maxLength() > config.maxPositions()) {
            throw new UserException("input of " + layout.maxLength() + " tokens exceeds the model's " + config.maxPositions()
                    + " positions");
        }
        Tensor x = embeddings(inputIds, positions);
        Attention attention = packed(layout, cumulative);
        for (int i = 0; i < layers; i++) {
            x = scopedLayer(i, x, attention);
        }
        Tensor head = null;
        if (withHead) {
            head = this.head == Head.SEQUENCE_CLASSIFICATION ? sequenceLogits(x.index_select(0, layout.starts(device)))
                    : this.head == Head.NONE ? null : headOutput(x);
        }
        return new BertOutput(List.of(x), List.of(), head);
    }

    private Tensor sequenceLogits(Tensor first) {
        Tensor pooled = linear(first, "bert.pooler.dense").tanh();
        return linear(dropout(pooled, classifierDropout()), "classifier");
    }

    private Tensor headOutput(Tensor x) {
        return switch (head) {
            case NONE -> null;
            case MLM -> mlmLogits(x);
            case SEQUENCE_CLASSIFICATION -> sequenceLogits(x.select(1, 0));
            case TOKEN_CLASSIFICATION -> linear(dropout(x, classifierDropout()), "classifier");
        };
    }

    /** MLM logits of hidden states {@code x} [.., hidden]: transform, activation, LayerNorm, tied decoder + bias. */
    public Tensor mlmLogits(Tensor x) {
        Tensor t = layerNorm(activation(linear(x, "cls.predictions.transform.dense")), "cls.predictions.transform.LayerNorm");
        return torch.linear(t, p("bert.embeddings.word_embeddings.weight"), new TensorOptional(p("cls.predictions.bias")));
    }

    private double classifierDropout() {
        var n = config.json().path("classifier_dropout");
        return n.isNumber() ? n.asDouble() : config.hiddenDropout();
    }

    private Tensor linear(Tensor x, String name) {
        if (linears != null && linears.names().contains(name)) {
            return linears.apply(name, x, training);
        }
        return torch.linear(x, p(name + ".weight"), new TensorOptional(p(name + ".bias")));
    }

    /**
     * In the weights' precision: under mixed precision (fp32 weights, autocast) an input a bf16 matrix product made
     * (the MLM head's transform) is normalised in fp32, as CUDA's autocast does and the CPU's would not.
     */
    private Tensor layerNorm(Tensor x, String name) {
        Tensor w = p(name + ".weight");
        Tensor in = x.scalar_type().value == w.scalar_type().value ? x : x.to(w.scalar_type());
        return torch.layer_norm(in, new long[] {config.hiddenSize()}, new TensorOptional(w),
                new TensorOptional(p(name + ".bias")), config.layerNormEps(), false);
    }

    private Tensor activation(Tensor x) {
        return config.hiddenAct().equals("relu") ? torch.relu(x) : torch.gelu(x);
    }

    private Tensor dropout(Tensor x, double p) {
        return training && p > 0 ? torch.dropout(x, p, true) : x;
    }

    /** Overwrites the parameters with same-named tensors of {@code tensors} (a checkpoint of this very model). */
    public void loadParameters(Map<String, HostTensor> tensors) {
        try (PointerScope scope = new PointerScope(); org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
            for (Map.Entry<String, Tensor> e : params.entrySet()) {
                HostTensor t = tensors.get(e.getKey());
                if (t == null || !java.util.Arrays.equals(t.shape(), Tensors.shape(e.getValue()))) {
                    throw new UserException("the checkpoint lacks " + e.getKey() + " or has another shape for it");
                }
                e.getValue().copy_(Tensors.toTorch(t, device, dtype));
            }
        }
    }

    /** The parameters as host tensors in fp32, sorted by name: what {@link #save} writes. */
    public Map<String, HostTensor> hostParameters() {
        Map<String, HostTensor> host = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (String k : new TreeSet<>(params.keySet())) {
                host.put(k, Tensors.toHost(params.get(k).detach().to(ScalarType.Float)));
            }
        }
        return host;
    }

    /** Saves {@code config.json} + {@code model.safetensors} that {@code transformers} loads as this model's class. */
    public void save(java.nio.file.Path dir) {
        try {
            java.nio.file.Files.createDirectories(dir);
        } catch (java.io.IOException e) {
            throw new UserException("cannot create " + dir + ": " + e.getMessage(), e);
        }
        SafeTensors.write(dir.resolve(Checkpoint.SAFETENSORS), hostParameters(), Map.of("format", "pt"));
        config.write(dir.resolve("config.json"));
    }

    @Override
    public void close() {
        if (linears != null) {
            linears.close();
        }
        params.values().forEach(t -> {
            if (!t.isNull()) {
                t.releaseReference();
            }
        });
    }
}
