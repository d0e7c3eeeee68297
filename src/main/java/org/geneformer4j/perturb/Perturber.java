package org.geneformer4j.perturb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.Batch;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Tensors;

/**
 * Runs a cell's perturbations through the model and measures them, as upstream's {@code quant_cos_sims} and
 * {@code cos_sim_shift}, but batched: the original is run once, and all perturbed versions of the cell go through in
 * batches of up to {@code maxTokens} tokens (in "all" mode every version has the same length, so batches carry no
 * padding). Cosines are {@code torch.cosine_similarity(dim=-1, eps=1e-8)}, upstream's {@code nn.CosineSimilarity}.
 *
 * <p>Gene cosines pair each gene of the perturbed input with the same gene in the original input
 * ({@link Perturbation#originalPosition()}), which is upstream's {@code make_comparison_batch} and its removal of
 * the perturbed and special positions, in one rule for every perturbation type.
 */
public final class Perturber {
    private final Worker worker;
    private final BertModel model;
    private final int layers;
    private final boolean special;
    private final PerturbMode mode;
    private final Map<String, float[]> states;
    private final long maxTokens;
    private final int batchSize;

    /**
     * @param embLayer upstream's emb_layer: -1 the second-to-last layer's output, 0 the last
     * @param states   state embeddings by name (start, goal, alternatives), or empty for plain cosines
     */
    public Perturber(Worker worker, int embLayer, boolean special, PerturbMode mode, Map<String, float[]> states,
            long maxTokens, int batchSize) {
        this.worker = worker;
        this.model = worker.model();
        this.layers = model.config().numLayers() + embLayer;
        this.special = special;
        this.mode = special ? mode : mode.withoutCls();
        this.states = new LinkedHashMap<>(states);
        this.maxTokens = maxTokens;
        this.batchSize = batchSize;
    }

    /** The model's position limit, which a gene-list overexpression must fit in. */
    public int maxPositions() {
        return model.config().maxPositions();
    }

    /** Runs {@code perturbations} of the cell {@code ids} and passes every value to {@code out}. */
    public void run(int[] ids, List<Perturbation> perturbations, Consumer<Result> out) {
        run(ids, ids, perturbations, out);
    }

    /**
     * As {@link #run(int[], List, Consumer)} with the original input given separately ({@code original}, e.g. cut
     * by the overflow of a gene-list overexpression); {@code ids} is only used for the original's shape.
     */
    public void run(int[] ids, int[] original, List<Perturbation> perturbations, Consumer<Result> out) {
        try (Batch originalBatch = worker.batch(List.of(original), false)) {
            Tensor full = hidden(originalBatch); // [1, L, H]
            Tensor orig = full.select(0, 0);
            Tensor origCls = orig.select(0, 0);
            Tensor origCell = originalBatch.mean(full, special, special).select(0, 0);
            Map<String, Double> origState = new LinkedHashMap<>();
            Map<String, Tensor> stateT = new LinkedHashMap<>();
            for (var e : states.entrySet()) {
                Tensor s = Tensors.floats(e.getValue(), e.getValue().length).to(model.device(), ScalarType.Float);
                stateT.put(e.getKey(), s);
                Tensor emb = mode.usesCls() ? origCls : origCell;
                origState.put(e.getKey(), torch.cosine_similarity(emb.unsqueeze(0), s.unsqueeze(0), 1, 1e-8).item_double());
            }
            List<Perturbation> sorted = new ArrayList<>(perturbations);
            sorted.sort(Comparator.comparingInt(Perturbation::length).reversed());
            int i = 0;
            while (i < sorted.size()) {
                int longest = sorted.get(i).length();
                int rows = (int) Math.max(1, Math.min(batchSize, maxTokens / Math.max(1, longest)));
                int end = i + 1;
                while (end < sorted.size() && end - i < rows && sorted.get(end).length() == longest) {
                    end++; // a batch holds one length: no padding, and SDPA's unmasked kernel
                }
                List<Perturbation> batch = sorted.subList(i, end);
                measure(batch, orig, origCls, stateT, origState, out);
                i += batch.size();
            }
        }
    }

    private void measure(List<Perturbation> batch, Tensor orig, Tensor origCls, Map<String, Tensor> stateT,
            Map<String, Double> origState, Consumer<Result> out) {
        int b = batch.size();
        int len = batch.get(0).length();
        List<int[]> ids = new ArrayList<>();
        batch.forEach(p -> ids.add(p.ids()));
        try (Batch perturbed = worker.batch(ids, false)) {
            measure(batch, perturbed, orig, origCls, stateT, origState, out);
        }
    }

    private void measure(List<Perturbation> batch, Batch perturbed, Tensor orig, Tensor origCls, Map<String, Tensor> stateT,
            Map<String, Double> origState, Consumer<Result> out) {
        int b = batch.size();
        int len = batch.get(0).length();
        Tensor h = hidden(perturbed); // [B, len, H]
        long[] idx = new long[b * len];
        float[] valid = new float[b * len];
        for (int r = 0; r < b; r++) {
            int[] op = batch.get(r).originalPosition();
            for (int j = 0; j < op.length; j++) {
                idx[r * len + j] = Math.max(0, op[j]);
                valid[r * len + j] = op[j] >= 0 ? 1f : 0f;
            }
        }
        Tensor idxT = Tensors.longs(idx, b * len).to(model.device(), ScalarType.Long);
        Tensor validT = Tensors.floats(valid, b, len).to(model.device(), ScalarType.Float);
        long hd = orig.size(1);
        Tensor aligned = orig.index_select(0, idxT).view(b, len, hd);
        Tensor geneCos = torch.cosine_similarity(h, aligned, 2, 1e-8).mul(validT); // [B, len]
        Tensor meanCos = geneCos.sum(new long[] {1}, false, new ScalarTypeOptional())
                .div(validT.sum(new long[] {1}, false, new ScalarTypeOptional()));
        float[] cellValue;
        Map<String, float[]> shifts = new LinkedHashMap<>();
        if (stateT.isEmpty()) {
            cellValue = Tensors.floatArray(mode.usesCls()
                    ? torch.cosine_similarity(h.select(1, 0), origCls.unsqueeze(0).expand(b, hd), 1, 1e-8)
                    : meanCos);
        } else {
            cellValue = null;
            Tensor emb = mode.usesCls() ? h.select(1, 0) : perturbed.mean(h, special, special);
            for (var e : stateT.entrySet()) {
                Tensor cos = torch.cosine_similarity(emb, e.getValue().unsqueeze(0).expand(b, hd), 1, 1e-8)
                        .sub(new Scalar(origState.get(e.getKey())));
                shifts.put(e.getKey(), Tensors.floatArray(cos));
            }
        }
        float[] perGene = mode.perGene() ? Tensors.floatArray(geneCos) : null;
        for (int r = 0; r < b; r++) {
            Perturbation p = batch.get(r);
            if (cellValue != null) {
                out.accept(new Result(p, -1, null, cellValue[r]));
            } else {
                for (var e : shifts.entrySet()) {
                    out.accept(new Result(p, -1, e.getKey(), e.getValue()[r]));
                }
            }
            if (perGene != null) {
                int[] op = p.originalPosition();
                for (int j = 0; j < op.length; j++) {
                    if (op[j] >= 0) {
                        out.accept(new Result(p, p.ids()[j], null, perGene[r * len + j]));
                    }
                }
            }
        }
    }

    /** Hidden states of the chosen layer in fp32, [rows, len, H]: a batch of one length has no padding. */
    private Tensor hidden(Batch batch) {
        return batch.hidden(layers).to(ScalarType.Float);
    }
}
