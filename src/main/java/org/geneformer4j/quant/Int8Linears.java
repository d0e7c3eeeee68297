package org.geneformer4j.quant;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.LinearLayers;
import org.geneformer4j.tensor.AtenOps;
import org.geneformer4j.tensor.CallScope;

/**
 * The encoder's linear layers with int8 weights ({@link Int8Weights}: per-output-channel absmax), made once when
 * the model loads. On the CPU they run as fbgemm's dynamic int8 linear ({@code quantized::linear_dynamic}, what
 * PyTorch's {@code quantize_dynamic} runs): each call quantizes its input to uint8 with the input's own range, multiplies
 * in int8 with int32 sums, and rescales to fp32 with the bias added. It was the fastest of the int8 kernels LibTorch
 * offers here (decision 0011). As bitsandbytes' LLM.int8 (upstream's {@code load_in_8bit}, threshold 6.0), the
 * activations are quantized per token, and input features with any value of magnitude {@value #OUTLIER_THRESHOLD} or
 * more are taken out of the int8 product and multiplied in fp32 with their dequantized weight columns: one such
 * feature would otherwise set every token's quantization step. On a GPU the same arithmetic runs as an int8 matrix
 * product on the tensor cores ({@link #int8Product}), with symmetric per-token activations as bitsandbytes has them.
 */
public final class Int8Linears implements LinearLayers {
    /** bitsandbytes' default {@code llm_int8_threshold}: input features reaching it are computed in fp32. */
    public static final double OUTLIER_THRESHOLD = 6.0;

    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final boolean reduceRange;
    private long bytes;

    /**
     * On the CPU, {@code packed} is fbgemm's layer (the weight without bias: the bias is added after the per-token
     * rescaling) and {@code scales} the per-channel scales; {@code weights} is null there. fbgemm keeps the quantized
     * weight it was packed from beside the packed copy (its unpack returns it), so the CPU holds two bytes a weight,
     * and the outlier columns are read from that copy rather than from a third. Elsewhere {@code weights} is all.
     */
    private record Layer(Int8Weights weights, Tensor bias, IValue packed, Tensor scales) {}

    private Int8Linears(boolean reduceRange) {
        this.reduceRange = reduceRange;
    }

    /**
     * Quantizes the encoder linear layers of {@code model} (their weights from {@code host} where the load left them
     * there) and makes the model run them from now on.
     */
    public static Int8Linears install(BertModel model, Map<String, HostTensor> host) {
        Int8Linears q = of(model, host, reduceRangeNeeded());
        model.replaceLinears(q);
        return q;
    }

    /** As {@link #install(BertModel, Map)}, choosing whether activations take 7 bits (tests run both), not installed. */
    static Int8Linears of(BertModel model, boolean reduceRange) {
        return of(model, Map.of(), reduceRange);
    }

    private static Int8Linears of(BertModel model, Map<String, HostTensor> host, boolean reduceRange) {
        boolean cpu = model.device().is_cpu();
        Int8Linears q = new Int8Linears(reduceRange);
        for (String name : EncoderLinears.of(model.config())) {
            // one layer's temporaries at a time
            try (PointerScope scope = new PointerScope()) {
                Tensor w = EncoderLinears.tensor(model, host, name + ".weight");
                Tensor b = EncoderLinears.tensor(model, host, name + ".bias").clone();
                Int8Weights iw = Int8Weights.quantize(w);
                q.bytes += iw.bytes() + b.numel() * 4;
                IValue packed = null;
                Tensor scales = null;
                if (cpu) {
                    packed = pack(iw);
                    scales = iw.scales().clone();
                    scales.retainReference();
                    iw.close();
                    iw = null;
                }
                b.retainReference();
                q.layers.put(name, new Layer(iw, b, packed, scales));
            }
        }
        return q;
    }

    /** fbgemm's packed weight: the codes as a per-channel quantized tensor (scale per row, zero point 0) with the bias. */
    private static IValue pack(Int8Weights w) {
        Tensor zeroPoints = torch.zeros(w.scales().numel()).to(ScalarType.Long);
        Tensor qw = AtenOps.call("aten::_make_per_channel_quantized_tensor", new IValue(w.codes()),
                new IValue(w.scales().to(ScalarType.Double)), new IValue(zeroPoints), new IValue(0L)).get(0).toTensor();
        IValue packed = new IValue(AtenOps.call("quantized::linear_prepack", new IValue(qw), new IValue()).get(0));
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
        return CallScope.run(() -> linear(name, x));
    }

    private Tensor linear(String name, Tensor x) {
        Layer l = layers.get(name);
        if (l.packed() == null) {
            return int8Product(x, l.weights(), l.bias());
        }
        Tensor x2 = x.reshape(-1, x.size(-1));
        Split a = Split.of(x2);
        Tensor outliers = a.outliers();
        boolean any = outliers != null;
        // Each token scaled to absmax 1 before fbgemm's per-tensor quantization, and back after: in effect one
        // quantization step per token (LLM.int8's row-wise activations), not one for the whole batch.
        Tensor rowmax = a.rowmax().clamp_min(new Scalar(1e-30));
        Tensor y = dynamic(any ? a.in().div_(rowmax) : a.in().div(rowmax), l).mul_(rowmax).add_(l.bias());
        if (any) {
            // the outlier columns of the weight fbgemm keeps (unpack returns it without a copy; its codes are copied
            // once per call, a small cost beside the product)
            Tensor q = AtenOps.call("quantized::linear_unpack", l.packed()).get(0).toTensor();
            Tensor w = q.int_repr().index_select(1, outliers).to(ScalarType.Float).mul_(l.scales().unsqueeze(1));
            y.addmm_(x2.index_select(1, outliers), w.t());
        }
        return y.view(shapeWithLast(x, l.bias().size(0)));
    }

    /**
     * LLM.int8's product off the CPU, on the GPU's int8 tensor cores ({@code aten::_int_mm}, cuBLASLt's int8 GEMM):
     * the outlier features (any value of magnitude {@value #OUTLIER_THRESHOLD} or more) taken out and multiplied in
     * fp32, every token quantized to int8 with its own absmax (round half to even), int32 sums, rescaled by the
     * token's step and the output channel's scale, the bias added in fp32; the result in {@code x}'s dtype.
     */
    static Tensor int8Product(Tensor x, Int8Weights w, Tensor bias) {
        long k = x.size(-1);
        Tensor x2 = x.reshape(-1, k).to(ScalarType.Float);
        Split a = Split.of(x2);
        Tensor outliers = a.outliers();
        boolean any = outliers != null;
        Tensor step = a.rowmax().clamp_min(new Scalar(1e-30)).div_(new Scalar(127.0));
        Tensor codes = a.in().div(step).round_().to(ScalarType.Char);
        long m = codes.size(0);
        // cuBLASLt's int8 product takes more than 16 rows: a short input is padded with zero rows
        long pad = Math.max(0, 17 - m);
        if (pad > 0) {
            codes = torch.cat(new org.bytedeco.pytorch.TensorVector(codes,
                    torch.zeros(new long[] {pad, k}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Char)
                            .device(new org.bytedeco.pytorch.DeviceOptional(codes.device())))));
        }
        Tensor sums = AtenOps.call("aten::_int_mm", new IValue(codes), new IValue(w.codes().t())).get(0).toTensor();
        Tensor y = sums.narrow(0, 0, m).to(ScalarType.Float).mul_(step).mul_(w.scales().unsqueeze(0)).add_(bias);
        if (any) {
            Tensor wo = w.codes().index_select(1, outliers).to(ScalarType.Float).mul_(w.scales().unsqueeze(1));
            y.addmm_(x2.index_select(1, outliers), wo.t());
        }
        return y.view(shapeWithLast(x, bias.size(0))).to(x.scalar_type());
    }

    /**
     * LLM.int8's split of a layer's input [tokens, features]: the outlier features (a column with any value of
     * magnitude {@value #OUTLIER_THRESHOLD} or more; null when there is none) zeroed in {@code in}, and each token's
     * absmax over the rest, [tokens, 1]. The columns are only searched when some value reaches the threshold, which
     * the tokens' absmax already tells: one pass over |x| in the usual case.
     *
     * <p>{@code abs().amax(dim)} with its temporary, not {@code aminmax}: LibTorch's aminmax along a dimension ran
     * 10x slower here (2.2 against 0.2 ms for 2,048 x 768; 20 against 2 ms down the columns of 2,048 x 3,072).
     */
    private record Split(Tensor in, Tensor outliers, Tensor rowmax) {
        static Split of(Tensor x2) {
            Tensor abs = x2.abs();
            Tensor rowmax = abs.amax(new long[] {1}, true);
            if (rowmax.max().item_double() < OUTLIER_THRESHOLD) {
                return new Split(x2, null, rowmax);
            }
            Tensor outliers = abs.amax(new long[] {0}, false).ge(new Scalar(OUTLIER_THRESHOLD)).nonzero().squeeze(1);
            Tensor in = x2.index_fill(1, outliers, new Scalar(0.0));
            return new Split(in, outliers, in.abs().amax(new long[] {1}, true));
        }
    }

    private Tensor dynamic(Tensor x2, Layer l) {
        return AtenOps.call("quantized::linear_dynamic", new IValue(x2), l.packed(), new IValue(reduceRange)).get(0).toTensor();
    }

    private static long[] shapeWithLast(Tensor x, long last) {
        long[] s = new long[(int) x.dim()];
        for (int i = 0; i < s.length; i++) {
            s[i] = x.size(i);
        }
        s[s.length - 1] = last;
        return s;
    }

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
                l.scales().releaseReference();
            }
        }
        layers.clear();
    }
}
