package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.LibTorch;
import org.junit.jupiter.api.Test;

/** The foreach clipping and zeroing against LibTorch's per-tensor clip_grad_norm_; the fused AdamW's skipped tensors. */
class GradientsTest {
    static {
        LibTorch.init();
    }

    /** Parameters of mixed shapes with gradients; the last has none. */
    private static List<Tensor> params(long seed, double gradScale) {
        torch.manual_seed(seed);
        List<Tensor> ps = new ArrayList<>();
        for (long[] shape : new long[][] {{7, 5}, {5}, {3, 4, 2}, {1}, {6}}) {
            Tensor p = torch.randn(shape).requires_grad_(true);
            ps.add(p);
        }
        Tensor loss = null;
        for (int i = 0; i < ps.size() - 1; i++) {
            Tensor part = ps.get(i).pow(new Scalar(2.0)).sum().mul(new Scalar(gradScale * (i + 1)));
            loss = loss == null ? part : loss.add(part);
        }
        loss.backward();
        return ps;
    }

    @Test
    void clippingEqualsLibTorchs() {
        for (double scale : new double[] {0.01, 3.0}) {
            for (double max : new double[] {1.0, 0.0}) {
                try (PointerScope scope = new PointerScope()) {
                    List<Tensor> ours = params(5, scale);
                    List<Tensor> theirs = params(5, scale);
                    double n = Gradients.clipNorm(ours, max);
                    double expected = torch.clip_grad_norm_(new TensorVector(theirs.subList(0, 4).toArray(new Tensor[0])),
                            max > 0 ? max : 1e30);
                    assertEquals(expected, n, 1e-6 * expected, "norm, scale " + scale + " max " + max);
                    for (int i = 0; i < 4; i++) {
                        double diff = ours.get(i).grad().sub(theirs.get(i).grad()).abs().max().item_double();
                        assertTrue(diff <= 1e-6 * Math.max(1, theirs.get(i).grad().abs().max().item_double()),
                                "gradient " + i + " differs by " + diff);
                    }
                    if (max > 0 && expected > max) {
                        // the clipped gradients have the norm asked for
                        assertEquals(max, Gradients.clipNorm(ours, 0), 1e-5);
                    }
                    assertFalse(ours.get(4).grad().defined());
                }
            }
        }
    }

    @Test
    void zeroingClearsEveryGradient() {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> ps = params(9, 1.0);
            Gradients.zero(ps);
            for (int i = 0; i < 4; i++) {
                assertEquals(0.0, ps.get(i).grad().abs().sum().item_double());
            }
            assertEquals(0.0, Gradients.clipNorm(ps, 1.0));
        }
    }

    @Test
    void adamWLeavesParametersWithoutGradientsAlone() {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> ps = params(11, 1.0);
            Map<String, Tensor> named = new LinkedHashMap<>();
            String[] names = {"a.weight", "a.bias", "b.weight", "LayerNorm.weight", "c.weight"};
            for (int i = 0; i < ps.size(); i++) {
                named.put(names[i], ps.get(i));
            }
            Tensor untouched = ps.get(4).detach().clone();
            List<Tensor> before = new ArrayList<>();
            for (Tensor p : ps) {
                before.add(p.detach().clone());
            }
            try (AdamW opt = new AdamW(named, 0.1, 0.9, 0.999, 1e-8)) {
                opt.step(1e-2);
                for (int i = 0; i < 4; i++) {
                    Tensor p = ps.get(i).detach();
                    Tensor g = ps.get(i).grad();
                    // torch's first AdamW step: decay, then a move of lr against the gradient's sign (m/sqrt(v) = sign)
                    double decay = AdamW.decays(names[i]) ? 1 - 1e-2 * 0.1 : 1.0;
                    Tensor expected = before.get(i).mul(new Scalar(decay)).sub(g.sign().mul(new Scalar(1e-2)));
                    double diff = p.sub(expected).abs().max().item_double();
                    assertTrue(diff < 1e-6, names[i] + " differs from torch's first step by " + diff);
                }
                assertEquals(0.0, ps.get(4).detach().sub(untouched).abs().max().item_double());
                assertEquals(1, opt.steps());
            }
        }
    }
}
