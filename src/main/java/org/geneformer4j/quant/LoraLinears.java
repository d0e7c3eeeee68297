package org.geneformer4j.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.LinearLayers;
import org.geneformer4j.tensor.Tensors;

/**
 * LoRA on the encoder's linear layers, over NF4 or full-precision base weights: {@code y = base(x) + scaling ·
 * B(A(dropout(x)))}, as peft's {@code lora.Linear}. A and B are parameters of the model (named as peft saves them,
 * without its {@code base_model.model.} prefix) and the only encoder weights that train; the model's training is
 * restricted to them and the head ({@link #install}).
 */
public final class LoraLinears implements LinearLayers {
    /** The head's parameters: what trains beside the adapters (peft's modules_to_save). */
    public static boolean isHead(String name) {
        return name.startsWith("classifier.") || name.startsWith("bert.pooler.");
    }

    private final LoraSettings settings;
    private final Nf4Linears nf4;
    private final Map<String, Tensor[]> full = new LinkedHashMap<>();
    private final Map<String, Tensor> adapters = new LinkedHashMap<>();
    private final Set<String> names;

    private LoraLinears(LoraSettings settings, Nf4Linears nf4, Set<String> names) {
        this.settings = settings;
        this.nf4 = nf4;
        this.names = names;
    }

    /**
     * Puts adapters on {@code model}'s targeted encoder layers (A as nn.Linear's default init, B zero: peft's
     * {@code init_lora_weights=True}, so training starts from the base model's function), quantizing the encoder to
     * NF4 first if asked, and restricts training to the adapters and the head.
     */
    public static LoraLinears install(BertModel model, LoraSettings s, long seed) {
        Nf4Linears nf4 = s.quantize() == Quantization.NF4 ? Nf4Linears.of(model) : null;
        Set<String> names = new java.util.LinkedHashSet<>();
        for (String layer : EncoderLinears.of(model.config())) {
            if (nf4 != null || s.targets(layer)) {
                names.add(layer);
            }
        }
        LoraLinears l = new LoraLinears(s, nf4, names);
        Random rng = new Random(seed);
        try (PointerScope scope = new PointerScope()) {
            for (String layer : names) {
                Tensor w = model.parameters().get(layer + ".weight");
                if (nf4 == null) {
                    Tensor wf = w.detach().clone();
                    Tensor bf = model.parameters().get(layer + ".bias").detach().clone();
                    wf.retainReference();
                    bf.retainReference();
                    l.full.put(layer, new Tensor[] {wf, bf});
                }
                if (s.targets(layer)) {
                    long out = w.size(0);
                    long in = w.size(1);
                    // kaiming_uniform(a=sqrt(5)) of a [r, in] weight: U(-1/sqrt(in), 1/sqrt(in))
                    float[] a = new float[Math.toIntExact(s.r() * in)];
                    double bound = 1 / Math.sqrt(in);
                    for (int i = 0; i < a.length; i++) {
                        a[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
                    }
                    l.put(layer + ".lora_A.weight", Tensors.floats(a, s.r(), in).to(model.device(), model.dtype()));
                    l.put(layer + ".lora_B.weight", torch.zeros(out, s.r()).to(model.device(), model.dtype()));
                }
            }
        }
        model.replaceLinears(l);
        model.restrictTraining(name -> name.contains(".lora_") || isHead(name));
        return l;
    }

    private void put(String name, Tensor t) {
        t.retainReference();
        adapters.put(name, t);
    }

    public LoraSettings settings() {
        return settings;
    }

    /** The adapter matrices by saved name ({@code LAYER.lora_A.weight}, {@code LAYER.lora_B.weight}). */
    public Map<String, Tensor> adapters() {
        return java.util.Collections.unmodifiableMap(adapters);
    }

    /** The base weights are NF4 (else full precision). */
    public boolean quantized() {
        return nf4 != null;
    }

    @Override
    public Set<String> names() {
        return names;
    }

    @Override
    public Map<String, Tensor> parameters() {
        return adapters;
    }

    @Override
    public Tensor apply(String name, Tensor x, boolean training) {
        Tensor y;
        if (nf4 != null) {
            y = nf4.apply(name, x, training);
        } else {
            Tensor[] wb = full.get(name);
            y = torch.linear(x, wb[0], new TensorOptional(wb[1]));
        }
        Tensor a = adapters.get(name + ".lora_A.weight");
        if (a == null) {
            return y;
        }
        Tensor in = training && settings.dropout() > 0 ? torch.dropout(x, settings.dropout(), true) : x;
        Tensor delta = torch.linear(torch.linear(in, a), adapters.get(name + ".lora_B.weight"));
        return y.add(delta.mul(new Scalar(settings.scaling())));
    }

    @Override
    public long weightBytes() {
        long n = nf4 != null ? nf4.weightBytes() : 0;
        for (Tensor[] wb : full.values()) {
            n += (wb[0].numel() + wb[1].numel()) * wb[0].element_size();
        }
        for (Tensor t : adapters.values()) {
            n += t.numel() * t.element_size();
        }
        return n;
    }

    @Override
    public void close() {
        if (nf4 != null) {
            nf4.close();
        }
        for (Tensor[] wb : full.values()) {
            wb[0].releaseReference();
            wb[1].releaseReference();
        }
        adapters.values().forEach(Tensor::releaseReference);
        full.clear();
        adapters.clear();
    }
}
