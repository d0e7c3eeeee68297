package org.geneformer4j.perturb;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Scalar;
import org.bytedeco.pytorch.ScalarTypeOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.Batch;
import org.geneformer4j.engine.BatchPlan;
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
    private final boolean packed;

    /**
     * @param embLayer upstream's emb_layer: -1 the second-to-last layer's output, 0 the last
     * @param states   state embeddings by name (start, goal, alternatives), or empty for plain cosines
     */
    public Perturber(Worker worker, int embLayer, boolean special, PerturbMode mode, Map<String, float[]> states,
            long maxTokens, int batchSize) {
        this(worker, embLayer, special, mode, states, maxTokens, batchSize, false);
    }

    /**
     * @param packed the original and the perturbed versions of a cell packed end to end into batches of up to
     *               {@code maxTokens} real tokens ({@link org.geneformer4j.model.PackedLayout}), the original in the
     *               first: one forward pass fewer per cell, and versions of different lengths (combos) share batches
     */
    public Perturber(Worker worker, int embLayer, boolean special, PerturbMode mode, Map<String, float[]> states,
            long maxTokens, int batchSize, boolean packed) {
        this.worker = worker;
        this.model = worker.model();
        this.layers = model.config().numLayers() + embLayer;
        this.special = special;
        this.mode = special ? mode : mode.withoutCls();
        this.states = new LinkedHashMap<>(states);
        this.maxTokens = maxTokens;
        this.batchSize = batchSize;
        this.packed = packed;
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
        if (packed) {
            runPacked(original, perturbations, out);
            return;
        }
        try (Batch originalBatch = worker.batch(List.of(original), false)) {
            Tensor full = hidden(originalBatch); // [1, L, H]
            Original o = new Original(full.select(0, 0), originalBatch.mean(full, special, special).select(0, 0));
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
                List<int[]> versions = new ArrayList<>();
                batch.forEach(p -> versions.add(p.ids()));
                try (Batch perturbed = worker.batch(versions, false)) {
                    Tensor h = hidden(perturbed); // [B, len, H]
                    measure(batch, h, () -> perturbed.mean(h, special, special), o, out);
                }
                i += batch.size();
            }
        }
    }

    /**
     * The original and its perturbations as packed batches ({@link BatchPlan}: longest first, up to {@code maxTokens}
     * real tokens and {@code batchSize} cells), the batch holding the original run first. The original's hidden
     * states are kept past their batch (the batch's other tensors are freed with it), and every perturbation is
     * measured as in a padded batch: its rows are scattered into [cells, longest, hidden] ({@link Batch#rows}).
     */
    private void runPacked(int[] original, List<Perturbation> perturbations, Consumer<Result> out) {
        List<int[]> cells = new ArrayList<>(perturbations.size() + 1);
        cells.add(original);
        perturbations.forEach(p -> cells.add(p.ids()));
        int[] lengths = cells.stream().mapToInt(c -> c.length).toArray();
        List<int[]> plan = new ArrayList<>(BatchPlan.plan(lengths, batchSize, maxTokens, true));
        for (int b = 0; b < plan.size(); b++) {
            if (indexOf(plan.get(b), 0) >= 0) {
                plan.add(0, plan.remove(b)); // measured against the original, so it comes first
                break;
            }
        }
        Original o = null;
        try {
            for (int[] idx : plan) {
                List<int[]> ids = new ArrayList<>(idx.length);
                for (int i : idx) {
                    ids.add(cells.get(i));
                }
                try (Batch batch = worker.batch(ids, true)) {
                    Tensor raw = batch.hidden(layers); // [tokens, H]
                    Tensor h = batch.rows(raw).to(ScalarType.Float); // [cells, longest, H]
                    Tensor[] means = new Tensor[1];
                    Supplier<Tensor> cellMeans = () -> means[0] != null ? means[0] : (means[0] = batch.mean(raw, special, special));
                    int at = indexOf(idx, 0);
                    if (at >= 0) {
                        o = new Original(h.select(0, at).narrow(0, 0, original.length).clone(), cellMeans.get().select(0, at).clone()).kept();
                    }
                    List<Perturbation> measured = new ArrayList<>();
                    long[] rows = new long[idx.length - (at >= 0 ? 1 : 0)];
                    int k = 0;
                    for (int r = 0; r < idx.length; r++) {
                        if (r != at) {
                            measured.add(perturbations.get(idx[r] - 1));
                            rows[k++] = r;
                        }
                    }
                    if (measured.isEmpty()) {
                        continue;
                    }
                    Tensor rowIndex = Tensors.longs(rows, rows.length).to(model.device(), ScalarType.Long);
                    measure(measured, h.index_select(0, rowIndex), () -> cellMeans.get().index_select(0, rowIndex), o, out);
                }
            }
        } finally {
            if (o != null) {
                o.release();
            }
        }
    }

    private static int indexOf(int[] a, int v) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == v) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The original cell's side of every comparison: its hidden states [L, H] (fp32), its {@code <cls>} and mean
     * embeddings, each state's embedding and the original's cosine to it.
     */
    private final class Original {
        final Tensor hidden;
        final Tensor cls;
        final Tensor cell;
        final Map<String, Tensor> stateT = new LinkedHashMap<>();
        final Map<String, Double> origState = new LinkedHashMap<>();

        Original(Tensor hidden, Tensor cell) {
            this.hidden = hidden;
            this.cls = hidden.select(0, 0);
            this.cell = cell;
            for (var e : states.entrySet()) {
                Tensor s = Tensors.floats(e.getValue(), e.getValue().length).to(model.device(), ScalarType.Float);
                stateT.put(e.getKey(), s);
                Tensor emb = mode.usesCls() ? cls : cell;
                origState.put(e.getKey(), torch.cosine_similarity(emb.unsqueeze(0), s.unsqueeze(0), 1, 1e-8).item_double());
            }
        }

        /** Outlives the pointer scope it was made in (its batch's), until {@link #release}. */
        Original kept() {
            tensors().forEach(Tensor::retainReference);
            return this;
        }

        void release() {
            tensors().forEach(Tensor::releaseReference);
        }

        private List<Tensor> tensors() {
            List<Tensor> t = new ArrayList<>(List.of(hidden, cls, cell));
            t.addAll(stateT.values());
            return t;
        }
    }

    /**
     * Measures perturbations from their hidden states {@code h} [B, len, H] (fp32; row r is {@code batch.get(r)},
     * its positions past its length ignored) and their mean embeddings {@code cellMeans} [B, H], asked for only
     * where a state shift needs them.
     */
    private void measure(List<Perturbation> batch, Tensor h, Supplier<Tensor> cellMeans, Original o, Consumer<Result> out) {
        int b = batch.size();
        int len = (int) h.size(1);
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
        long hd = o.hidden.size(1);
        Tensor aligned = o.hidden.index_select(0, idxT).view(b, len, hd);
        Tensor geneCos = torch.cosine_similarity(h, aligned, 2, 1e-8).mul(validT); // [B, len]
        Tensor meanCos = geneCos.sum(new long[] {1}, false, new ScalarTypeOptional())
                .div(validT.sum(new long[] {1}, false, new ScalarTypeOptional()));
        float[] cellValue;
        Map<String, float[]> shifts = new LinkedHashMap<>();
        if (o.stateT.isEmpty()) {
            cellValue = Tensors.floatArray(mode.usesCls()
                    ? torch.cosine_similarity(h.select(1, 0), o.cls.unsqueeze(0).expand(b, hd), 1, 1e-8)
                    : meanCos);
        } else {
            cellValue = null;
            Tensor emb = mode.usesCls() ? h.select(1, 0) : cellMeans.get();
            for (var e : o.stateT.entrySet()) {
                Tensor cos = torch.cosine_similarity(emb, e.getValue().unsqueeze(0).expand(b, hd), 1, 1e-8)
                        .sub(new Scalar(o.origState.get(e.getKey())));
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
