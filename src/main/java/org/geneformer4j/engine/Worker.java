package org.geneformer4j.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.pytorch.NoGradGuard;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.Progress;

/**
 * One model on one device with the pooled buffers its inputs are staged in. A {@link ModelSession} makes one per
 * device and closes them; a trainer wraps the model it trains ({@link #around}) to evaluate it the same way.
 */
public final class Worker implements AutoCloseable {
    private final BertModel model;
    private final boolean ownsModel;
    private final InputStaging staging;

    private Worker(BertModel model, boolean ownsModel) {
        this.model = model;
        this.ownsModel = ownsModel;
        this.staging = new InputStaging(model.device());
    }

    static Worker owning(BertModel model) {
        return new Worker(model, true);
    }

    /** A worker over a model someone else owns (and closes): closing it frees only the buffers. */
    public static Worker around(BertModel model) {
        return new Worker(model, false);
    }

    public BertModel model() {
        return model;
    }

    InputStaging staging() {
        return staging;
    }

    int padToken() {
        return model.config().padTokenId();
    }

    /** Opens a batch of these cells; close it (try-with-resources) once its results are read. */
    public Batch batch(List<int[]> cells, boolean packed) {
        return new Batch(this, cells, packed);
    }

    /**
     * A classifier's logits for many cells in input order: {@link BatchPlan} batches, padded. A cell classifier
     * gives [classes] per cell, a gene classifier [length x classes].
     */
    public float[][] logits(List<int[]> cells, int batchSize, long maxTokens, Progress progress) {
        return logits(cells, batchSize, maxTokens, false, progress);
    }

    /** As {@link #logits(List, int, long, Progress)}, the batches packed ({@code maxTokens} real tokens) or padded. */
    public float[][] logits(List<int[]> cells, int batchSize, long maxTokens, boolean packed, Progress progress) {
        boolean perToken = model.head() == Head.TOKEN_CLASSIFICATION;
        int[] lengths = cells.stream().mapToInt(c -> c.length).toArray();
        float[][] out = new float[cells.size()][];
        boolean wasTraining = model.training();
        model.train(false);
        try (NoGradGuard g = new NoGradGuard()) {
            for (int[] idx : BatchPlan.plan(lengths, batchSize, maxTokens, packed)) {
                List<Integer> ids = Arrays.stream(idx).boxed().toList();
                // a batch the device cannot hold runs as its halves (an evaluation during training, say)
                List<float[]> rows = MemoryBackoff.run(ids, sub -> logitsOf(cells, sub, packed, perToken));
                for (int r = 0; r < idx.length; r++) {
                    out[idx[r]] = rows.get(r);
                }
                progress.advance(idx.length);
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }

    /** The logits of one batch of {@code cells}, a row per cell in {@code ids}' order. */
    private List<float[]> logitsOf(List<int[]> cells, List<Integer> ids, boolean packed, boolean perToken) {
        List<int[]> cellsOf = new ArrayList<>(ids.size());
        for (int i : ids) {
            cellsOf.add(cells.get(i));
        }
        try (Batch b = batch(cellsOf, packed)) {
            MemoryBackoff.check(b.tokens());
            float[] l = Tensors.floatArray(b.forward().logits());
            int rows = ids.size();
            // per token: [rows x length] positions padded, [tokens] packed (Batch.tokens either way)
            int classes = perToken ? (int) (l.length / b.tokens()) : l.length / rows;
            List<float[]> out = new ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                int width = perToken ? cellsOf.get(r).length * classes : classes;
                int start = perToken ? (int) b.start(r) * classes : r * classes;
                out.add(Arrays.copyOfRange(l, start, start + width));
            }
            return out;
        }
    }

    /** Pooled input buffers allocated so far: constant once warm. */
    public long inputAllocations() {
        return staging.allocations();
    }

    @Override
    public void close() {
        try {
            staging.close();
        } finally {
            if (ownsModel) {
                model.close();
            }
        }
    }
}
