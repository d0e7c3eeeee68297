package org.geneformer4j.quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.LinearLayers;
import org.geneformer4j.tensor.AtenOps;

/**
 * The encoder's linear layers with int8 weights ({@link Int8Weights}: per-output-channel absmax), made once when
 * the model loads. On the CPU they run as fbgemm's dynamic int8 linear ({@code quantized::linear_dynamic}, what
 * PyTorch's {@code quantize_dynamic} runs): each call quantizes its input to uint8 with the input's own range, multiplies
 * in int8 with int32 sums, and rescales to fp32 with the bias added. It was the fastest of the int8 kernels LibTorch
 * offers here (decision 0011). On other devices the weights are dequantized per call: the memory is saved, not time.
 */
public final class Int8Linears implements LinearLayers {
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final boolean reduceRange;
    private long bytes;

    /** {@code weights} is null on the CPU, where fbgemm's packed copy (with its own copy of the codes) is all that is needed. */
    private record Layer(Int8Weights weights, Tensor bias, IValue packed) {}

    private Int8Linears(boolean reduceRange) {
        this.reduceRange = reduceRange;
    }

    /** Quantizes the encoder linear layers of {@code model} and makes the model run them from now on. */
    public static Int8Linears install(BertModel model) {
        Int8Linears q = of(model);
        model.replaceLinears(q);
        return q;
    }

    /** The int8 layers of {@code model}'s encoder, without installing them. */
    static Int8Linears of(BertModel model) {
        return of(model, reduceRangeNeeded());
    }

    /** As {@link #of(BertModel)}, choosing whether activations take 7 bits (tests run both). */
    static Int8Linears of(BertModel model, boolean reduceRange) {
        boolean cpu = model.device().is_cpu();
        Int8Linears q = new Int8Linears(reduceRange);
        try (PointerScope scope = new PointerScope()) {
            for (String name : EncoderLinears.of(model.config())) {
                Tensor w = model.parameters().get(name + ".weight");
                Tensor b = model.parameters().get(name + ".bias").detach().to(ScalarType.Float);
                Int8Weights iw = Int8Weights.quantize(w);
                q.bytes += iw.bytes() + b.numel() * 4;
                IValue packed = null;
                if (cpu) {
                    packed = pack(iw, b);
                    iw.close();
                    iw = null;
                }
                b.retainReference();
                q.layers.put(name, new Layer(iw, b, packed));
            }
        }
        return q;
    }

    /** fbgemm's packed weight: the codes as a per-channel quantized tensor (scale per row, zero point 0) with the bias. */
    private static IValue pack(Int8Weights w, Tensor bias) {
        Tensor zeroPoints = torch.zeros(w.scales().numel()).to(ScalarType.Long);
        Tensor qw = AtenOps.call("aten::_make_per_channel_quantized_tensor", new IValue(w.codes()),
                new IValue(w.scales().to(ScalarType.Double)), new IValue(zeroPoints), new IValue(0L)).get(0).toTensor();
        IValue packed = new IValue(AtenOps.call("quantized::linear_prepack", new IValue(qw), new IValue(bias)).get(0));
        // Made in a scope that closes; the layer keeps it until close().
        packed.retainReference();
        return packed;
    }

    /**
     * Whether activations must be quantized to 7 bits: fbgemm's AVX2/AVX-512 kernels without VNNI add pairs of
     * uint8 x int8 products in int16 (vpmaddubsw), which saturates for full-range inputs; VNNI sums in int32. PyTorch
     * always reduces the range; here it is done only where needed, since the 8th bit halves the activation error.
     */
    static boolean reduceRangeNeeded() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("flags")) {
                    return !(" " + line + " ").contains(" avx512_vnni ");
                }
            }
        } catch (IOException | RuntimeException e) {
            // unknown CPU: the safe choice
        }
        return true;
    }

    public boolean reduceRange() {
        return reduceRange;
    }

    @Override
    public Set<String> names() {
        return layers.keySet();
    }

    @Override
    public Tensor apply(String name, Tensor x, boolean training) {
        Layer l = layers.get(name);
        if (l.packed() != null) {
            return AtenOps.call("quantized::linear_dynamic", new IValue(x.contiguous()), l.packed(), new IValue(reduceRange))
                    .get(0).toTensor();
        }
        return torch.linear(x, l.weights().dequantize(x.scalar_type()), new TensorOptional(l.bias().to(x.scalar_type())));
    }

    /**
     * Codes, scales and biases: one byte per weight. fbgemm's packed layer keeps the quantized weight it was packed
     * from beside the packed copy, so on the CPU about two bytes per weight are resident (the memory table).
     */
    @Override
    public long weightBytes() {
        return bytes;
    }

    @Override
    public void close() {
        for (Layer l : layers.values()) {
            if (l.weights() != null) {
                l.weights().close();
            }
            l.bias().releaseReference();
            if (l.packed() != null) {
                l.packed().releaseReference();
            }
        }
        layers.clear();
    }
}
