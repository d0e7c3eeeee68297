package org.geneformer4j.classify;

import java.util.ArrayList;
import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.TokenBatch;
import org.geneformer4j.model.Tensors;
import org.geneformer4j.util.Progress;

/**
 * A classifier's logits for many cells: length-sorted batches capped in cells and padded tokens (so padding stays
 * small), returned in input order. A cell classifier gives [classes] per cell; a gene classifier [length x classes].
 */
public final class Predictor {
    private Predictor() {}

    public static float[][] logits(BertModel model, List<int[]> cells, int batchSize, long maxTokens, Progress progress) {
        boolean perToken = model.head() == Head.TOKEN_CLASSIFICATION;
        int[] lengths = new int[cells.size()];
        for (int i = 0; i < lengths.length; i++) {
            lengths[i] = cells.get(i).length;
        }
        float[][] out = new float[cells.size()][];
        boolean wasTraining = model.training();
        model.train(false);
        try (NoGradGuard g = new NoGradGuard()) {
            for (int[] idx : TokenBatch.plan(lengths, batchSize, maxTokens)) {
                List<int[]> batch = new ArrayList<>();
                for (int i : idx) {
                    batch.add(cells.get(i));
                }
                try (PointerScope scope = new PointerScope()) {
                    TokenBatch tb = TokenBatch.of(batch, model.config().padTokenId());
                    float[] l = Tensors.floatArray(tb.forward(model).logits());
                    int classes = perToken ? l.length / (tb.rows() * tb.length()) : l.length / tb.rows();
                    for (int r = 0; r < batch.size(); r++) {
                        int width = perToken ? batch.get(r).length * classes : classes;
                        int start = perToken ? r * tb.length() * classes : r * classes;
                        out[idx[r]] = java.util.Arrays.copyOfRange(l, start, start + width);
                    }
                }
                progress.advance(idx.length);
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }
}
