package org.geneformer4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.T_TensorTensorDoubleLong_T;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.tensor.AtenOps;
import org.geneformer4j.tensor.LibTorch;

/**
 * Which int8 matrix product LibTorch offers this CPU that quantized inference should use (issue 17, decision 0011):
 * the linear layers of an encoder's shape, [tokens, in] x [in, out], timed as fp32 and as every int8 route the jar
 * reaches, each including what a layer would have to do around it (quantizing the activations, rescaling).
 * Run by scripts/bench/int8_kernels.sh; not a test.
 */
public final class Int8Kernels {
    private Int8Kernels() {}

    public static void main(String[] args) {
        LibTorch.init();
        int tokens = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        int hidden = args.length > 1 ? Integer.parseInt(args[1]) : 768;
        int inner = args.length > 2 ? Integer.parseInt(args[2]) : 3072;
        int threads = args.length > 3 ? Integer.parseInt(args[3]) : 2;
        torch.set_num_threads(threads);
        torch.manual_seed(1);
        System.out.printf(Locale.ROOT, "tokens %d, threads %d; G(FL)OP/s = 2*tokens*in*out / best of 7 seconds%n", tokens, threads);
        System.out.println("| shape (in -> out) | fp32 torch.linear | quantized::linear_dynamic (fbgemm) | fbgemm_linear_int8_weight_fp32_activation"
                + " | aten::_int_mm + per-row activation quantization | aten::_weight_int8pack_mm (int8 weights, fp32 math) |");
        System.out.println("|---|---|---|---|---|---|");
        for (int[] s : new int[][] {{hidden, hidden}, {hidden, inner}, {inner, hidden}}) {
            row(tokens, s[0], s[1]);
            System.out.flush();
        }
        // LibTorch's exit handlers can end the process before a buffered line is written
        System.out.flush();
    }

    private static void row(int m, int k, int n) {
        Tensor x = torch.randn(m, k);
        Tensor w = torch.randn(n, k).mul_(new Scalar(0.02));
        Tensor b = torch.randn(n).mul_(new Scalar(0.02));
        Tensor ref = torch.linear(x, w, new TensorOptional(b));
        double flop = 2.0 * m * k * n;
        List<String> cells = new ArrayList<>();
        cells.add(rate(flop, () -> torch.linear(x, w, new TensorOptional(b)), ref));

        // per-output-channel absmax codes, as Int8Weights
        Tensor scales = w.abs().amax(new long[] {1}, false).div(new Scalar(127.0));
        Tensor codes = w.div(scales.unsqueeze(1)).round().clamp(new org.bytedeco.pytorch.ScalarOptional(new Scalar(-127.0)), new org.bytedeco.pytorch.ScalarOptional(new Scalar(127.0))).to(ScalarType.Char);

        Tensor zp = torch.zeros(n).to(ScalarType.Long);
        Tensor qw = AtenOps.call("aten::_make_per_channel_quantized_tensor", new IValue(codes), new IValue(scales.to(ScalarType.Double)),
                new IValue(zp), new IValue(0L)).get(0).toTensor();
        IValue packed = new IValue(AtenOps.call("quantized::linear_prepack", new IValue(qw), new IValue(b)).get(0));
        cells.add(rate(flop, () -> AtenOps.call("quantized::linear_dynamic", new IValue(x), packed, new IValue(false)).get(0).toTensor(), ref));

        T_TensorTensorDoubleLong_T fq = torch.fbgemm_linear_quantize_weight(w);
        Tensor fpacked = torch.fbgemm_pack_quantized_matrix(fq.get0());
        cells.add(rate(flop, () -> torch.fbgemm_linear_int8_weight_fp32_activation(x, fq.get0(), fpacked, fq.get1(),
                new Scalar(fq.get2()), new Scalar(fq.get3()), b), ref));

        Tensor codesT = codes.t().contiguous();
        cells.add(rate(flop, () -> {
            Tensor rowScale = x.abs().amax(new long[] {1}, true).div(new Scalar(127.0));
            Tensor xq = x.div(rowScale).round().to(ScalarType.Char);
            Tensor acc = AtenOps.call("aten::_int_mm", new IValue(xq), new IValue(codesT)).get(0).toTensor();
            return acc.to(ScalarType.Float).mul_(rowScale).mul_(scales.unsqueeze(0)).add_(b);
        }, ref));

        cells.add(rate(flop, () -> AtenOps.call("aten::_weight_int8pack_mm", new IValue(x), new IValue(codes), new IValue(scales))
                .get(0).toTensor().add_(b), ref));
        System.out.printf(Locale.ROOT, "| %d -> %d | %s |%n", k, n, String.join(" | ", cells));
    }

    /** "G(FL)OP/s (max rel. error)", or why the route failed here. */
    private static String rate(double flop, Supplier<Tensor> op, Tensor ref) {
        try {
            Tensor y = op.get();
            double err = y.sub(ref).abs().max().item_double() / ref.abs().max().item_double();
            double best = Double.MAX_VALUE;
            for (int i = 0; i < 7; i++) {
                // each call's output and temporaries freed before the next, as the model's calls are: a bench that
                // keeps them makes every call fault in fresh pages, which cost the int8 kernels 3-10x here
                try (org.bytedeco.javacpp.PointerScope scope = new org.bytedeco.javacpp.PointerScope()) {
                    long t0 = System.nanoTime();
                    op.get();
                    best = Math.min(best, (System.nanoTime() - t0) / 1e9);
                }
            }
            return String.format(Locale.ROOT, "%.0f (err %.1e)", flop / best / 1e9, err);
        } catch (RuntimeException e) {
            String msg = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            return "fails: " + msg.substring(0, Math.min(60, msg.length()));
        }
    }
}
