package org.geneformer4j.classify;

import java.util.ArrayList;
import java.util.Comparator;
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
        Integer[] order = new Integer[cells.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        java.util.Arrays.sort(order, Comparator.comparingInt((Integer i) -> cells.get(i).length).reversed().thenComparingInt(i -> i));
        float[][] out = new float[cells.size()][];
        boolean wasTraining = model.training();
        model.train(false);
        try (NoGradGuard g = new NoGradGuard()) {
            int from = 0;
            while (from < order.length) {
                int longest = cells.get(order[from]).length;
                int to = from + 1;
                while (to < order.length && to - from < batchSize && (long) longest * (to - from + 1) <= maxTokens) {
                    to++;
                }
                List<int[]> batch = new ArrayList<>();
                for (int i = from; i < to; i++) {
                    batch.add(cells.get(order[i]));
                }
                try (PointerScope scope = new PointerScope()) {
                    TokenBatch tb = TokenBatch.of(batch, model.config().padTokenId());
                    float[] l = Tensors.floatArray(tb.forward(model).logits());
                    int classes = perToken ? l.length / (tb.rows() * tb.length()) : l.length / tb.rows();
                    for (int r = 0; r < batch.size(); r++) {
                        int width = perToken ? batch.get(r).length * classes : classes;
                        int start = perToken ? r * tb.length() * classes : r * classes;
                        out[order[from + r]] = java.util.Arrays.copyOfRange(l, start, start + width);
                    }
                }
                progress.advance(to - from);
                from = to;
            }
        } finally {
            model.train(wasTraining);
        }
        return out;
    }
}
