package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.IValue;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.tensor.AtenOps;
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
    /** The step count as the fused kernel reads it: a scalar on the parameters' device. */
    private Tensor stepTensor;

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

    /**
     * One update at learning rate {@code lr} from the gradients the parameters hold: LibTorch's fused AdamW
     * ({@code aten::_fused_adamw_}, what {@code torch.optim.AdamW(fused=True)} runs), one call for the parameters
     * with weight decay and one for those without. Per parameter it is torch's AdamW: decay, then the moments, then
     * {@code p -= lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)}. Two calls instead of eight small ops
     * for each of ~200 tensors: on a GPU each op is a kernel launch, and those launches were a step's overhead.
     */
    public void step(double lr) {
        step++;
        if (params.isEmpty()) {
            return;
        }
        try (PointerScope scope = new PointerScope()) {
            if (stepTensor == null) {
                stepTensor = torch.zeros_like(expAvg.get(0).flatten().narrow(0, 0, 1)).squeeze();
                stepTensor.retainReference();
            }
            stepTensor.fill_(new Scalar((double) step));
            for (boolean decayed : new boolean[] {true, false}) {
                List<Tensor> ps = new ArrayList<>();
                List<Tensor> gs = new ArrayList<>();
                List<Tensor> ms = new ArrayList<>();
                List<Tensor> vs = new ArrayList<>();
                for (int i = 0; i < params.size(); i++) {
                    Tensor g = params.get(i).grad();
                    if (decays.get(i) == decayed && g.defined()) {
                        ps.add(params.get(i).detach());
                        gs.add(g);
                        ms.add(expAvg.get(i));
                        vs.add(expAvgSq.get(i));
                    }
                }
                if (ps.isEmpty()) {
                    continue;
                }
                // every tensor's step count is the same, so one scalar serves the whole list
                AtenOps.call("aten::_fused_adamw_", AtenOps.list(ps), AtenOps.list(gs), AtenOps.list(ms), AtenOps.list(vs),
                        AtenOps.list(List.of()), AtenOps.list(Collections.nCopies(ps.size(), stepTensor)),
                        new IValue(lr), new IValue(beta1), new IValue(beta2), new IValue(decayed ? weightDecay : 0.0),
                        new IValue(eps), new IValue(false), new IValue(false), new IValue(), new IValue());
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
        if (stepTensor != null) {
            stepTensor.releaseReference();
        }
    }
}
