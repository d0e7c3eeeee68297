package org.geneformer4j.model;

import java.util.List;
import org.bytedeco.pytorch.DoubleOptional;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.IValueVector;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptional;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.tensor.AtenOps;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.util.ErrorMessages;

/**
 * Self-attention within each cell of a packed batch ({@link PackedLayout}), never across cells.
 *
 * <p>On GPUs LibTorch's variable-length kernels take the cumulative lengths directly: flash attention for bf16 and
 * fp16, the memory-efficient kernel for fp32 (flash has no fp32 path). They are called by schema name
 * ({@link AtenOps}); a build without one falls back to the next, and finally to the per-cell loop. The per-cell loop
 * (one fused SDPA per cell) is also the CPU path and the reference the tests hold the kernels to: it computes the
 * block-diagonal attention exactly, as a padded batch with its mask does.
 */
public final class PackedAttention {
    /** Which implementation ran last (for --verbose and the GPU check). */
    public enum Kernel { FLASH_VARLEN, EFFICIENT_VARLEN, PER_CELL }

    private static volatile boolean flashBroken;
    private static volatile boolean efficientBroken;
    private static volatile Kernel last;
    private static final List<String> fallbacks = new java.util.concurrent.CopyOnWriteArrayList<>();

    private PackedAttention() {}

    /** The implementation that ran last, and why faster ones were passed over: for --verbose and the GPU check. */
    public static String describe() {
        return last == null ? "none ran" : last + (fallbacks.isEmpty() ? "" : " (" + String.join("; ", fallbacks) + ")");
    }

    /**
     * @param q, k, v  [tokens, heads, headDim] of the packed batch
     * @param cumulative  {@link PackedLayout#cumulative} on the tensors' device
     * @return [tokens, heads, headDim]
     */
    public static Tensor attend(Tensor q, Tensor k, Tensor v, PackedLayout layout, Tensor cumulative, double dropout) {
        if (q.is_cuda()) {
            if (halfPrecision(q) && !flashBroken) {
                try {
                    Tensor out = flash(q, k, v, layout, cumulative, dropout);
                    last = Kernel.FLASH_VARLEN;
                    return out;
                } catch (RuntimeException e) {
                    flashBroken = true; // not compiled into this LibTorch, or not for this card
                    fallbacks.add("flash attention unavailable: " + ErrorMessages.firstLine(e));
                }
            }
            if (!efficientBroken) {
                try {
                    Tensor out = efficient(q, k, v, layout, cumulative, dropout);
                    last = Kernel.EFFICIENT_VARLEN;
                    return out;
                } catch (RuntimeException e) {
                    efficientBroken = true;
                    fallbacks.add("memory-efficient attention unavailable: " + ErrorMessages.firstLine(e));
                }
            }
        }
        last = Kernel.PER_CELL;
        return perCell(q, k, v, layout, dropout);
    }

    /**
     * bf16 or fp16, which flash attention takes. By value: JavaCPP returns a new instance of the enum constant, so
     * {@code ==} is false even for the same type (the first GPU run never tried flash for that reason).
     */
    static boolean halfPrecision(Tensor t) {
        int v = t.scalar_type().value;
        return v == ScalarType.BFloat16.value || v == ScalarType.Half.value;
    }

    /** One SDPA per cell: the exact block-diagonal attention. */
    static Tensor perCell(Tensor q, Tensor k, Tensor v, PackedLayout layout, double dropout) {
        TensorVector parts = new TensorVector();
        for (int c = 0; c < layout.cells(); c++) {
            long from = layout.offsets()[c];
            long len = layout.length(c);
            Tensor ctx = torch.scaled_dot_product_attention(cell(q, from, len), cell(k, from, len), cell(v, from, len),
                    new TensorOptional(), dropout, false, new DoubleOptional(), false);
            parts.push_back(ctx.squeeze(0).transpose(0, 1));
        }
        return torch.cat(parts, 0);
    }

    /** [len, heads, hd] slice of cell c as SDPA's [1, heads, len, hd]. */
    private static Tensor cell(Tensor x, long from, long len) {
        return x.narrow(0, from, len).transpose(0, 1).unsqueeze(0);
    }

    // aten::_flash_attention_forward(query, key, value, cum_seq_q, cum_seq_k, max_q, max_k, dropout_p, is_causal,
    //     return_debug_mask, *, scale, window_size_left, window_size_right, seqused_k, alibi_slopes)
    //     -> (output, softmax_logsumexp, rng_state, unused, debug_attn_mask)
    static final String FLASH = "aten::_flash_attention_forward";
    static final String[] FLASH_ARGS = {"query", "key", "value", "cum_seq_q", "cum_seq_k", "max_q", "max_k",
        "dropout_p", "is_causal", "return_debug_mask", "scale", "window_size_left", "window_size_right",
        "seqused_k", "alibi_slopes"};

    private static Tensor flash(Tensor q, Tensor k, Tensor v, PackedLayout layout, Tensor cum, double dropout) {
        IValueVector out = AtenOps.call(FLASH, new IValue(q.contiguous()), new IValue(k.contiguous()),
                new IValue(v.contiguous()), new IValue(cum), new IValue(cum), new IValue((long) layout.maxLength()),
                new IValue((long) layout.maxLength()), new IValue(dropout), new IValue(false), new IValue(false),
                new IValue(), new IValue(), new IValue(), new IValue(), new IValue());
        return out.get(0).toTensor();
    }

    // aten::_efficient_attention_forward(query, key, value, bias, cu_seqlens_q, cu_seqlens_k, max_seqlen_q,
    //     max_seqlen_k, dropout_p, custom_mask_type, compute_log_sumexp, *, scale, seqlen_k, window_size)
    //     -> (output, logsumexp, philox_seed, philox_offset, max_seqlen_batch_q, max_seqlen_batch_k)
    // Its tensors are [1, tokens, heads, hd]: the packed batch is one sequence of many cells.
    static final String EFFICIENT = "aten::_efficient_attention_forward";
    static final String[] EFFICIENT_ARGS = {"query", "key", "value", "bias", "cu_seqlens_q", "cu_seqlens_k",
        "max_seqlen_q", "max_seqlen_k", "dropout_p", "custom_mask_type", "compute_log_sumexp", "scale", "seqlen_k",
        "window_size"};

    private static Tensor efficient(Tensor q, Tensor k, Tensor v, PackedLayout layout, Tensor cum, double dropout) {
        boolean grad = q.requires_grad() || k.requires_grad() || v.requires_grad();
        IValueVector out = AtenOps.call(EFFICIENT, new IValue(q.contiguous().unsqueeze(0)),
                new IValue(k.contiguous().unsqueeze(0)), new IValue(v.contiguous().unsqueeze(0)), new IValue(),
                new IValue(cum), new IValue(cum), new IValue((long) layout.maxLength()),
                new IValue((long) layout.maxLength()), new IValue(dropout), new IValue(0L), new IValue(grad),
                new IValue(), new IValue(), new IValue());
        return out.get(0).toTensor().squeeze(0);
    }
}
