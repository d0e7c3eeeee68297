package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.UserException;

/**
 * torch.optim.AdamW (the Hugging Face Trainer's default, {@code adamw_torch}), written out so that its state is
 * ours to save and restore exactly. Biases and LayerNorm weights get no weight decay, as the Trainer groups them.
 */
public final class AdamW implements AutoCloseable {
    private final List<String> names = new ArrayList<>();
    private final List<Tensor> params = new ArrayList<>();
    private final List<Boolean> decays = new ArrayList<>();
    private final List<Tensor> expAvg = new ArrayList<>();
    private final List<Tensor> expAvgSq = new ArrayList<>();
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private long step;

    /** Optimises the {@code trainable} parameters (transformers names). */
    public AdamW(Map<String, Tensor> trainable, double weightDecay, double beta1, double beta2, double eps) {
        this.weightDecay = weightDecay;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        try (PointerScope scope = new PointerScope()) {
            for (Map.Entry<String, Tensor> e : trainable.entrySet()) {
                names.add(e.getKey());
                params.add(e.getValue());
                decays.add(decays(e.getKey()));
                Tensor m = torch.zeros_like(e.getValue());
                Tensor v = torch.zeros_like(e.getValue());
                m.retainReference();
                v.retainReference();
                expAvg.add(m);
                expAvgSq.add(v);
            }
        }
    }

    /** The Trainer's grouping: every bias and every LayerNorm parameter is exempt from weight decay. */
    static boolean decays(String name) {
        return !name.endsWith(".bias") && !name.contains("LayerNorm.");
    }

    public long steps() {
        return step;
    }

    /** One update at learning rate {@code lr} from the gradients the parameters hold. */
    public void step(double lr) {
        step++;
        double bc1 = 1 - Math.pow(beta1, step);
        double bc2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < params.size(); i++) {
                Tensor p = params.get(i);
                Tensor g = p.grad();
                if (!g.defined()) {
                    continue;
                }
                Tensor pd = p.detach();
                if (decays.get(i) && weightDecay != 0) {
                    pd.mul_(new Scalar(1 - lr * weightDecay));
                }
                expAvg.get(i).lerp_(g, new Scalar(1 - beta1));
                expAvgSq.get(i).mul_(new Scalar(beta2)).addcmul_(g, g, new Scalar(1 - beta2));
                Tensor denom = expAvgSq.get(i).sqrt().div(new Scalar(bc2Sqrt)).add_(new Scalar(eps));
                pd.addcdiv_(expAvg.get(i), denom, new Scalar(-lr / bc1));
            }
        }
    }

    /** The moment estimates, named {@code exp_avg.NAME} / {@code exp_avg_sq.NAME}, for a checkpoint. */
    public Map<String, HostTensor> state() {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < names.size(); i++) {
                out.put("exp_avg." + names.get(i), Tensors.toHost(expAvg.get(i)));
                out.put("exp_avg_sq." + names.get(i), Tensors.toHost(expAvgSq.get(i)));
            }
        }
        return out;
    }

    /** Restores what {@link #state()} saved after {@code steps} updates. */
    public void load(Map<String, HostTensor> state, long steps) {
        try (PointerScope scope = new PointerScope()) {
            for (int i = 0; i < names.size(); i++) {
                for (String kind : List.of("exp_avg.", "exp_avg_sq.")) {
                    HostTensor t = state.get(kind + names.get(i));
                    if (t == null) {
                        throw new UserException("the optimizer state lacks " + kind + names.get(i)
                                + ": the checkpoint was written for other trainable parameters");
                    }
                    Tensor dst = (kind.equals("exp_avg.") ? expAvg : expAvgSq).get(i);
                    dst.copy_(Tensors.toTorch(t, dst.device(), dst.scalar_type()));
                }
            }
        }
        this.step = steps;
    }

    @Override
    public void close() {
        expAvg.forEach(Tensor::releaseReference);
        expAvgSq.forEach(Tensor::releaseReference);
    }
}
