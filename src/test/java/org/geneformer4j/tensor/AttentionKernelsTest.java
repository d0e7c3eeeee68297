package org.geneformer4j.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class AttentionKernelsTest {
    private Context context;
    private boolean[] before;

    @BeforeEach
    void remember() {
        LibTorch.init();
        context = torch.globalContext();
        before = flags();
    }

    @AfterEach
    void restore() {
        context.setSDPUseFlash(before[0]);
        context.setSDPUseMemEfficient(before[1]);
        context.setSDPUseMath(before[2]);
        context.setSDPUseCuDNN(before[3]);
    }

    private boolean[] flags() {
        return new boolean[] {context.userEnabledFlashSDP(), context.userEnabledMemEfficientSDP(),
            context.userEnabledMathSDP(), context.userEnabledCuDNNSDP()};
    }

    @Test
    void allowsExactlyTheNamedKernels() {
        AttentionKernels.allow("math");
        assertEquals(List.of(false, false, true, false), List.of(box(flags())));
        AttentionKernels.allow(" Flash , efficient");
        assertEquals(List.of(true, true, false, false), List.of(box(flags())));
    }

    @Test
    void theMathKernelAloneStillComputesAttention() {
        Tensor q = torch.randn(2, 4, 7, 8);
        Tensor mask = torch.ones(new long[] {2, 1, 1, 7}, new org.bytedeco.pytorch.TensorOptions(torch.ScalarType.Bool));
        Tensor free = attention(q, mask);
        AttentionKernels.allow("math");
        Tensor math = attention(q, mask);
        assertTrue(free.sub(math).abs().max().item_float() < 1e-5f);
    }

    @Test
    void anUnknownKernelIsOneClearError() {
        UserException e = assertThrows(UserException.class, () -> AttentionKernels.allow("math,fast"));
        assertTrue(e.getMessage().contains("unknown attention kernel 'fast'"), e.getMessage());
    }

    private static Tensor attention(Tensor q, Tensor mask) {
        return torch.scaled_dot_product_attention(q, q, q, new org.bytedeco.pytorch.TensorOptional(mask), 0.0, false,
                new org.bytedeco.pytorch.DoubleOptional(), false);
    }

    private static Boolean[] box(boolean[] b) {
        Boolean[] out = new Boolean[b.length];
        for (int i = 0; i < b.length; i++) {
            out[i] = b[i];
        }
        return out;
    }
}
