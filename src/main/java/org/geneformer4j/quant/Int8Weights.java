package org.geneformer4j.quant;

import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;

/**
 * A weight [out, in] as int8 codes with one absmax scale per output channel (row): {@code w ≈ code × absmax / 127}.
 * The rounding is bitsandbytes' vector-wise quantization ({@code round(w × 127 / absmax)}, half to even), so a row's
 * largest weight is exact and every other is off by at most half a step ({@code absmax / 254}).
 *
 * @param codes int8 [out, in]
 * @param scales fp32 [out], {@code absmax / 127} (0 for an all-zero row)
 */
public record Int8Weights(Tensor codes, Tensor scales) implements AutoCloseable {
    /** Quantizes {@code w} (any floating dtype, any device); the result is on the same device. */
    public static Int8Weights quantize(Tensor w) {
        Tensor f = w.detach().to(ScalarType.Float);
        Tensor absmax = f.abs().amax(new long[] {1}, true);
        // An all-zero row would divide by zero; any positive divisor codes it as zeros.
        Tensor safe = torch.where(absmax.gt(new Scalar(0.0)), absmax, torch.ones_like(absmax));
        // 127 / absmax, not (1 / absmax) x 127: bitsandbytes' order of float operations, so the codes are its codes
        Tensor codes = f.mul(torch.full_like(safe, new Scalar(127.0)).div(safe)).round().to(ScalarType.Char);
        Tensor scales = absmax.div(new Scalar(127.0)).reshape(-1);
        codes.retainReference();
        scales.retainReference();
        return new Int8Weights(codes, scales);
    }

    /** {@code code × scale} in {@code dtype}: the weight the codes stand for. */
    public Tensor dequantize(ScalarType dtype) {
        return codes.to(ScalarType.Float).mul(scales.unsqueeze(1)).to(dtype);
    }

    public long bytes() {
        return codes.numel() + scales.numel() * 4;
    }

    @Override
    public void close() {
        codes.releaseReference();
        scales.releaseReference();
    }
}
