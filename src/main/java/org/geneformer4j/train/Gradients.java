package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorList;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.tensor.AtenOps;

/**
 * A step's work on the gradients of all parameters at once, with LibTorch's foreach ops: one call for the whole list
 * where LibTorch's C++ {@code clip_grad_norm_} and a loop of {@code zero_} make one or two per tensor (on a GPU, one
 * kernel launch each). The arithmetic is {@code torch.nn.utils.clip_grad_norm_}'s.
 */
final class Gradients {
    private Gradients() {}

    /**
     * The L2 norm of all gradients together, as it was before clipping; when {@code maxNorm} is positive the
     * gradients are scaled by {@code min(1, maxNorm / (norm + 1e-6))}. Parameters without a gradient are skipped.
     */
    static double clipNorm(List<Tensor> params, double maxNorm) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> grads = defined(params);
            if (grads.isEmpty()) {
                return 0.0;
            }
            TensorList norms = AtenOps.call("aten::_foreach_norm.Scalar", AtenOps.list(grads), new IValue(new Scalar(2.0)),
                    new IValue()).get(0).toTensorList();
            TensorVector each = new TensorVector();
            for (long i = 0; i < norms.size(); i++) {
                each.push_back(norms.get(i));
            }
            Tensor total = torch.stack(each).norm();
            if (maxNorm > 0) {
                Tensor coef = torch.full_like(total, new Scalar(maxNorm)).div_(total.add(new Scalar(1e-6))).clamp_max_(new Scalar(1.0));
                AtenOps.call("aten::_foreach_mul_.Tensor", AtenOps.list(grads), new IValue(coef));
            }
            return total.item_double();
        }
    }

    /** Zeroes every gradient in place (the buffers stay: the data-parallel buckets point into them). */
    static void zero(List<Tensor> params) {
        try (PointerScope scope = new PointerScope()) {
            List<Tensor> grads = defined(params);
            if (!grads.isEmpty()) {
                AtenOps.call("aten::_foreach_zero_", AtenOps.list(grads));
            }
        }
    }

    private static List<Tensor> defined(List<Tensor> params) {
        List<Tensor> out = new ArrayList<>(params.size());
        for (Tensor p : params) {
            Tensor g = p.grad();
            if (g.defined()) {
                out.add(g);
            }
        }
        return out;
    }
}
