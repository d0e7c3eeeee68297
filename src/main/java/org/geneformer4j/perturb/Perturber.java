package org.geneformer4j.perturb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Tensors;

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
    public Perturber(BertModel model, int embLayer, boolean special, PerturbMode mode, Map<String, float[]> states,
            long maxTokens, int batchSize) {
        this.model = model;
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
        try (PointerScope scope = new PointerScope()) {
            Tensor orig = hidden(List.of(original)).select(0, 0); // [L, H]
            Tensor origCls = orig.select(0, 0);
            Tensor origCell = geneMean(orig.unsqueeze(0), specialMask(List.of(original), orig.size(0))).select(0, 0);
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
                try (PointerScope inner = new PointerScope()) {
                    measure(batch, orig, origCls, stateT, origState, out);
                }
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
        Tensor h = hidden(ids); // [B, len, H]
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
            Tensor emb = mode.usesCls() ? h.select(1, 0) : geneMean(h, specialMask(ids, len));
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

    /** Hidden states of the chosen layer, [rows, len, H], for same-length rows (no padding, so no mask). */
    private Tensor hidden(List<int[]> rows) {
        int len = rows.get(0).length;
        long[] flat = new long[rows.size() * len];
        for (int r = 0; r < rows.size(); r++) {
            int[] t = rows.get(r);
            if (t.length != len) {
                throw new IllegalStateException("perturbations of one batch must have one length");
            }
            for (int j = 0; j < len; j++) {
                flat[r * len + j] = t[j];
            }
        }
        Tensor ids = Tensors.longs(flat, rows.size(), len).to(model.device(), ScalarType.Long);
        Tensor mask = torch.ones(new long[] {rows.size(), len}, new org.bytedeco.pytorch.TensorOptions(ScalarType.Long)
                .device(new org.bytedeco.pytorch.DeviceOptional(model.device())));
        return model.forward(ids, mask, false, false, layers).lastHiddenState().to(ScalarType.Float);
    }

    /** [rows, len] 1 at gene positions, 0 at {@code <cls>} and {@code <eos>} (V2). */
    private Tensor specialMask(List<int[]> rows, long len) {
        float[] m = new float[(int) (rows.size() * len)];
        for (int r = 0; r < rows.size(); r++) {
            for (int j = 0; j < len; j++) {
                m[(int) (r * len + j)] = special && (j == 0 || j == len - 1) ? 0f : 1f;
            }
        }
        return Tensors.floats(m, rows.size(), len).to(model.device(), ScalarType.Float);
    }

    /** Mean over the gene positions: upstream's cell embedding of a perturbed or original cell. */
    private static Tensor geneMean(Tensor h, Tensor mask) {
        return h.mul(mask.unsqueeze(2)).sum(new long[] {1}, false, new ScalarTypeOptional())
                .div(mask.sum(new long[] {1}, true, new ScalarTypeOptional()));
    }
}
