package org.geneformer4j.quant;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.LinearLayers;
import org.geneformer4j.tensor.CallScope;
import org.geneformer4j.tensor.Tensors;

/**
 * The encoder's linear layers in NF4 ({@link Nf4}), quantized once when the model loads and dequantized to fp32
 * at every call, as bitsandbytes computes a 4-bit layer with {@code compute_dtype} float32: the weights take about a
 * seventh of their fp32 memory, the products are fp32. The nested absmaxes are expanded per call too, so only the
 * 4-bit and 8-bit codes stay resident.
 */
public final class Nf4Linears implements LinearLayers {
    private final Map<String, Layer> layers = new LinkedHashMap<>();
    private final Tensor pairs;
    private final Tensor dynamicMap;
    private final Tensor codeBounds;
    private long bytes;

    /** One weight on the device: codes as uint8, the float32 state, the bias kept in fp32. */
    private record Layer(Tensor packed, Tensor absmaxCodes, Tensor absmax2, float offset, long[] shape, Tensor bias,
            Nf4.Quantized host) {}

    private Nf4Linears(Device device) {
        // byte -> (high code, low code) values: one gather unpacks two weights
        float[] pair = new float[512];
        for (int b = 0; b < 256; b++) {
            pair[2 * b] = Nf4.CODE[b >>> 4];
            pair[2 * b + 1] = Nf4.CODE[b & 15];
        }
        try (PointerScope scope = new PointerScope()) {
            pairs = Tensors.floats(pair, 256, 2).to(device, ScalarType.Float);
            dynamicMap = Tensors.floats(Nf4.DYNAMIC_MAP, 256).to(device, ScalarType.Float);
            codeBounds = Tensors.floats(Nf4.midpoints(Nf4.CODE), 15).to(device, ScalarType.Float);
            pairs.retainReference();
            dynamicMap.retainReference();
            codeBounds.retainReference();
        }
    }

    /**
     * Quantizes the encoder linear layers of {@code model} (their weights from {@code host} where the load left them
     * there) and makes the model run them from now on.
     */
    public static Nf4Linears install(BertModel model, Map<String, org.geneformer4j.checkpoint.HostTensor> host) {
        Nf4Linears q = of(model, host);
        model.replaceLinears(q);
        return q;
    }

    /** The NF4 layers of {@code model}'s encoder, without installing them. */
    public static Nf4Linears of(BertModel model) {
        return of(model, Map.of());
    }

    static Nf4Linears of(BertModel model, Map<String, org.geneformer4j.checkpoint.HostTensor> host) {
        Nf4Linears q = new Nf4Linears(model.device());
        for (String name : EncoderLinears.of(model.config())) {
            try (PointerScope scope = new PointerScope()) {
                q.add(name, EncoderLinears.tensor(model, host, name + ".weight"), EncoderLinears.tensor(model, host, name + ".bias"),
                        model.device());
            }
        }
        return q;
    }

    private void add(String name, Tensor weight, Tensor bias, Device device) {
        long[] shape = Tensors.shape(weight);
        long n = weight.numel();
        Tensor packed;
        Tensor codes;
        Tensor absmax2;
        float offset;
        Nf4.Quantized host = null;
        long stored;
        if (n % Nf4.BLOCK == 0) {
            // the 4-bit codes with LibTorch's float32 ops in the reference's order (no weight in the Java heap);
            // only the absmaxes, one per 64 weights, go through Java
            Tensor blocks = weight.reshape(n / Nf4.BLOCK, Nf4.BLOCK);
            Tensor absmax = blocks.abs().amax(new long[] {1}, false);
            Tensor inv = absmax.clamp_min(new Scalar(1e-38f)).reciprocal();
            Tensor scaled = blocks.mul(inv.unsqueeze(1)).clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-1.0)),
                    new org.bytedeco.pytorch.ScalarOptional(new Scalar(1.0)));
            Tensor q = torch.bucketize(scaled, codeBounds, false, false).reshape(n / 2, 2);
            packed = q.select(1, 0).bitwise_left_shift(new Scalar(4)).bitwise_or(q.select(1, 1)).to(ScalarType.Byte).contiguous();
            Nf4.Nested nested = Nf4.quantizeAbsmax(Tensors.floatArray(absmax));
            codes = bytes(nested.codes(), device);
            absmax2 = Tensors.floats(nested.absmax2(), nested.absmax2().length).to(device, ScalarType.Float);
            offset = nested.offset();
            stored = packed.numel() + nested.codes().length + nested.absmax2().length * 4L + 4;
        } else {
            // blocks that do not tile the weight (never in a BERT) are quantized and dequantized on the host
            host = Nf4.quantize(Tensors.floatArray(weight), shape);
            packed = bytes(host.packed(), device);
            codes = bytes(host.absmaxCodes(), device);
            absmax2 = Tensors.floats(host.absmax2(), host.absmax2().length).to(device, ScalarType.Float);
            offset = host.offset();
            stored = host.bytes();
        }
        Tensor b = bias.detach().to(ScalarType.Float).clone();
        for (Tensor t : new Tensor[] {packed, codes, absmax2, b}) {
            t.retainReference();
        }
        layers.put(name, new Layer(packed, codes, absmax2, offset, shape, b, host));
        bytes += stored + b.numel() * 4;
    }

    private static Tensor bytes(byte[] b, Device device) {
        long[] v = new long[b.length];
        for (int i = 0; i < b.length; i++) {
            v[i] = b[i] & 0xff;
        }
        return Tensors.longs(v, v.length).to(device, ScalarType.Byte);
    }

    /** The fp32 weight of layer {@code name}: {@code nf4[code] * (map[absmax code] * absmax2 + offset)}. */
    public Tensor dequantize(String name) {
        Layer l = layers.get(name);
        if (l.host() != null) {
            return Tensors.floats(Nf4.dequantize(l.host()), l.shape()).to(pairs.device(), ScalarType.Float);
        }
        long blocks = l.absmaxCodes().numel();
        long nested = l.absmax2().numel();
        Tensor scale = l.absmax2().unsqueeze(1).expand(nested, Nf4.NESTED_BLOCK).reshape(-1).narrow(0, 0, blocks);
        Tensor absmax = dynamicMap.index_select(0, l.absmaxCodes().to(ScalarType.Int)).mul(scale)
                .add(new Scalar(l.offset()));
        Tensor w = pairs.index_select(0, l.packed().to(ScalarType.Int)).reshape(blocks, Nf4.BLOCK).mul(absmax.unsqueeze(1));
        return w.reshape(l.shape());
    }

    public Tensor bias(String name) {
        return layers.get(name).bias();
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
        Tensor w = dequantize(name);
        Tensor b = layers.get(name).bias();
        if (x.scalar_type() != ScalarType.Float) {
            w = w.to(x.scalar_type());
            b = b.to(x.scalar_type());
        }
        return torch.linear(x, w, new TensorOptional(b));
    }

    @Override
    public long weightBytes() {
        return bytes;
    }

    @Override
    public void close() {
        for (Layer l : layers.values()) {
            for (Tensor t : new Tensor[] {l.packed(), l.absmaxCodes(), l.absmax2(), l.bias()}) {
                t.releaseReference();
            }
        }
        layers.clear();
        pairs.releaseReference();
        dynamicMap.releaseReference();
        codeBounds.releaseReference();
    }
}
