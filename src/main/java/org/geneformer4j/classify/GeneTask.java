package org.geneformer4j.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.train.TrainingTask;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * Gene classification: BertForTokenClassification's cross-entropy on the class of each labelled gene in each cell,
 * other positions ignored (-100). Training labels only the training genes; evaluation only the held-out ones, so
 * the score measures genes the model never saw labelled, as upstream's 5-fold validation over genes.
 */
public final class GeneTask implements TrainingTask {
    private final List<LabeledCell> train;
    private final Map<Integer, Integer> trainGenes;
    private final List<LabeledCell> eval;
    private final Map<Integer, Integer> evalGenes;
    private final List<String> classes;
    private final int evalBatch;
    private final boolean packed;

    public GeneTask(List<LabeledCell> cells, GeneSplit split, List<String> classes, int evalBatch) {
        this(cells, split, classes, evalBatch, false);
    }

    /** @param packed batches of cells packed end to end without padding ({@link TokenBatch}), in training and evaluation */
    public GeneTask(List<LabeledCell> cells, GeneSplit split, List<String> classes, int evalBatch, boolean packed) {
        this.train = withAny(cells, split.train());
        this.trainGenes = split.train();
        this.eval = withAny(cells, split.valid());
        this.evalGenes = split.valid();
        this.classes = classes;
        this.evalBatch = evalBatch;
        this.packed = packed;
        if (train.isEmpty()) {
            throw new UserException("no cell expresses a training gene of the gene classes");
        }
    }

    /** Genes (token to class) for training, validation and test. */
    public record GeneSplit(Map<Integer, Integer> train, Map<Integer, Integer> valid, Map<Integer, Integer> test) {}

    /**
     * Stratified {@code k}-fold split of the genes (as scikit-learn's StratifiedKFold, seeded): fold {@code f} is held
     * out and split into validation and test genes in the ratio {@code validShare}; the other folds train.
     */
    public static List<GeneSplit> folds(GeneClasses genes, int k, double validShare, long seed) {
        Map<Integer, List<Integer>> byClass = new LinkedHashMap<>();
        for (Map.Entry<Integer, Integer> e : genes.classOfToken().entrySet()) {
            byClass.computeIfAbsent(e.getValue(), c -> new ArrayList<>()).add(e.getKey());
        }
        Map<Integer, Integer> foldOf = new HashMap<>();
        Random rng = new Random(seed);
        int next = 0;
        for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
            List<Integer> l = e.getValue();
            if (l.size() < k) {
                throw new UserException("gene class '" + genes.classes().get(e.getKey()) + "' has " + l.size()
                        + " gene(s) in the vocabulary, fewer than the " + k + " folds");
            }
            Collections.sort(l);
            Collections.shuffle(l, rng);
            for (int g : l) {
                foldOf.put(g, next++ % k);
            }
        }
        List<GeneSplit> out = new ArrayList<>();
        for (int fold = 0; fold < k; fold++) {
            int f = fold;
            Map<Integer, Integer> train = new LinkedHashMap<>(), valid = new LinkedHashMap<>(), test = new LinkedHashMap<>();
            for (Map.Entry<Integer, List<Integer>> e : byClass.entrySet()) {
                List<Integer> held = e.getValue().stream().filter(g -> foldOf.get(g) == f).toList();
                int nValid = validShare >= 1 ? held.size() : (int) Math.round(held.size() * validShare);
                for (int i = 0; i < held.size(); i++) {
                    (i < nValid ? valid : test).put(held.get(i), e.getKey());
                }
                for (int g : e.getValue()) {
                    if (foldOf.get(g) != f) {
                        train.put(g, e.getKey());
                    }
                }
            }
            out.add(new GeneSplit(train, valid, test));
        }
        return out;
    }

    private static List<LabeledCell> withAny(List<LabeledCell> cells, Map<Integer, Integer> genes) {
        List<LabeledCell> out = new ArrayList<>();
        for (LabeledCell c : cells) {
            for (int t : c.tokens()) {
                if (genes.containsKey(t)) {
                    out.add(c);
                    break;
                }
            }
        }
        return out;
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    public int length(int i) {
        return train.get(i).length();
    }

    /**
     * The labelled genes in these cells: the loss is one mean over them, so a data-parallel rank's share counts by
     * them, not by its cells (two shares of equal cells can hold very different numbers of training genes).
     */
    @Override
    public long weight(int[] examples, long step) {
        long n = 0;
        for (int i : examples) {
            for (int t : train.get(i).tokens()) {
                if (trainGenes.containsKey(t)) {
                    n++;
                }
            }
        }
        return n;
    }

    @Override
    public Tensor loss(BertModel model, int[] examples) {
        List<int[]> cells = new ArrayList<>();
        for (int i : examples) {
            cells.add(train.get(i).tokens());
        }
        TokenBatch tb = TokenBatch.of(cells, model.config().padTokenId(), packed);
        long[] y = new long[tb.positions()]; // a label per position of the per-token logits; padding and unlabelled genes -100
        java.util.Arrays.fill(y, -100);
        for (int r = 0; r < cells.size(); r++) {
            int[] t = cells.get(r);
            for (int j = 0; j < t.length; j++) {
                Integer c = trainGenes.get(t[j]);
                if (c != null) {
                    y[(int) tb.position(r, j)] = c;
                }
            }
        }
        Tensor logits = tb.forward(model).logits().to(torch.ScalarType.Float); // the loss in fp32 whatever the forward ran in
        return torch.cross_entropy(logits.view(-1, classes.size()), Tensors.longs(y, y.length).to(model.device(), torch.ScalarType.Long));
    }

    @Override
    public Map<String, Double> evaluate(BertModel model) {
        return evalGenes.isEmpty() ? Map.of() : metrics(model, eval, evalGenes, classes, evalBatch, null, packed).summary();
    }

    /**
     * Metrics over every occurrence of a gene of {@code genes} in {@code cells}; with {@code rows} non-null, the
     * (cell id, gene) of each occurrence is added to it in the metrics' order.
     */
    public static ClassMetrics metrics(BertModel model, List<LabeledCell> cells, Map<Integer, Integer> genes, List<String> classes,
            int batch, List<String[]> rows) {
        return metrics(model, cells, genes, classes, batch, rows, false);
    }

    /** As {@link #metrics(BertModel, List, Map, List, int, List)}, the batches packed or padded. */
    public static ClassMetrics metrics(BertModel model, List<LabeledCell> cells, Map<Integer, Integer> genes, List<String> classes,
            int batch, List<String[]> rows, boolean packed) {
        List<LabeledCell> with = withAny(cells, genes);
        float[][] logits;
        try (Worker w = Worker.around(model)) {
            logits = w.logits(with.stream().map(LabeledCell::tokens).toList(), batch, (long) batch * 4096, packed, Progress.silent());
        }
        int k = classes.size();
        List<float[]> out = new ArrayList<>();
        List<Integer> truth = new ArrayList<>();
        for (int i = 0; i < with.size(); i++) {
            int[] t = with.get(i).tokens();
            for (int j = 0; j < t.length; j++) {
                Integer c = genes.get(t[j]);
                if (c != null) {
                    out.add(java.util.Arrays.copyOfRange(logits[i], j * k, (j + 1) * k));
                    truth.add(c);
                    if (rows != null) {
                        rows.add(new String[] {with.get(i).id(), Integer.toString(t[j])});
                    }
                }
            }
        }
        return ClassMetrics.of(classes, truth.stream().mapToInt(Integer::intValue).toArray(), out);
    }
}
