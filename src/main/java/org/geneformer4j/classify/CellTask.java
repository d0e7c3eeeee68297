package org.geneformer4j.classify;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.train.TrainingTask;
import org.geneformer4j.util.Progress;

/** Cell classification: BertForSequenceClassification's cross-entropy on the class of each cell. */
public final class CellTask implements TrainingTask {
    private final List<LabeledCell> train;
    private final List<LabeledCell> valid;
    private final CellSelection.Prepared labels;
    private final int evalBatch;
    private final boolean packed;

    public CellTask(List<LabeledCell> train, List<LabeledCell> valid, CellSelection.Prepared labels, int evalBatch) {
        this(train, valid, labels, evalBatch, false);
    }

    /** @param packed batches of cells packed end to end without padding ({@link TokenBatch}), in training and evaluation */
    public CellTask(List<LabeledCell> train, List<LabeledCell> valid, CellSelection.Prepared labels, int evalBatch, boolean packed) {
        this.train = train;
        this.valid = valid;
        this.labels = labels;
        this.evalBatch = evalBatch;
        this.packed = packed;
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    public int length(int i) {
        return train.get(i).length();
    }

    @Override
    public Tensor loss(BertModel model, int[] examples) {
        List<int[]> cells = new ArrayList<>();
        long[] y = new long[examples.length];
        for (int i = 0; i < examples.length; i++) {
            LabeledCell c = train.get(examples[i]);
            cells.add(c.tokens());
            y[i] = labels.labelOf(c);
        }
        // [cells, classes]; the loss in fp32 whatever precision the forward pass ran in
        Tensor logits = TokenBatch.of(cells, model.config().padTokenId(), packed).forward(model).logits().to(torch.ScalarType.Float);
        return torch.cross_entropy(logits, Tensors.longs(y, y.length).to(model.device(), torch.ScalarType.Long));
    }

    @Override
    public Map<String, Double> evaluate(BertModel model) {
        return valid.isEmpty() ? Map.of() : metrics(model, valid, labels, evalBatch, packed).summary();
    }

    /** The classifier's metrics on {@code cells}. */
    public static ClassMetrics metrics(BertModel model, List<LabeledCell> cells, CellSelection.Prepared labels, int batch) {
        return metrics(model, cells, labels, batch, false);
    }

    /** The classifier's metrics on {@code cells}, its batches packed or padded. */
    public static ClassMetrics metrics(BertModel model, List<LabeledCell> cells, CellSelection.Prepared labels, int batch, boolean packed) {
        float[][] logits;
        try (Worker w = Worker.around(model)) {
            logits = w.logits(cells.stream().map(LabeledCell::tokens).toList(), batch, (long) batch * 4096, packed, Progress.silent());
        }
        int[] truth = new int[cells.size()];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = labels.labelOf(cells.get(i));
        }
        return ClassMetrics.of(labels.classes(), truth, List.of(logits));
    }

    /** Writes {@code predictions.csv}-style rows for {@code cells}. */
    public static void writePredictions(java.nio.file.Path file, List<LabeledCell> cells, ClassMetrics m) {
        PredictionTable.write(file, List.of("cell_id"), cells.stream().map(c -> new String[] {c.id()}).toList(), PredictionTable.names(m.classes(), m.truth()),
                m.classes(), m.predicted(), m.probabilities());
    }
}
