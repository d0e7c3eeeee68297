package org.geneformer4j.pretrain;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Tensor;
import org.geneformer4j.engine.MemoryBackoff;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.train.TrainingTask;

/**
 * Masked gene modelling as a {@link TrainingTask}: each training batch is masked by {@link MlmMasking} with a
 * generator seeded by the batch's cells, so a resumed run (or another number of ranks) masks the same cells the same
 * way; the validation cells are masked once per run with a fixed seed. The evaluation gives the loss over masked
 * tokens, their accuracy, perplexity, and the loss of the unigram baseline (predicting each masked gene by its
 * frequency in the training cells) that a model must beat to have learned anything about context. Cells are read
 * from their datasets when a batch needs them.
 */
public final class PretrainTask implements TrainingTask {
    private final Cells train;
    private final Cells valid;
    private final MlmMasking masking;
    private final long seed;
    private final int evalBatch;
    private final double[] logFrequency;
    private final boolean packed;

    /** @param tokenCounts occurrences of each token id in the training cells */
    public PretrainTask(Cells train, Cells valid, MlmMasking masking, long seed, int evalBatch, long[] tokenCounts) {
        this(train, valid, masking, seed, evalBatch, tokenCounts, false);
    }

    /** @param packed each batch's masked cells run packed end to end without padding, in training and evaluation */
    public PretrainTask(Cells train, Cells valid, MlmMasking masking, long seed, int evalBatch, long[] tokenCounts, boolean packed) {
        this.train = train;
        this.valid = valid;
        this.masking = masking;
        this.seed = seed;
        this.evalBatch = evalBatch;
        this.packed = packed;
        this.logFrequency = unigram(tokenCounts, masking.vocabSize());
    }

    @Override
    public int trainSize() {
        return train.size();
    }

    @Override
    public int length(int i) {
        return train.length(i);
    }

    @Override
    public Tensor loss(BertModel model, int[] examples) {
        return loss(model, examples, 0);
    }

    /** Each cell masked with its own seed, from the run's seed, the step and the cell: the same wherever it is batched. */
    @Override
    public Tensor loss(BertModel model, int[] examples, long step) {
        List<int[]> cells = new ArrayList<>(examples.length);
        long[] seeds = new long[examples.length];
        for (int r = 0; r < examples.length; r++) {
            cells.add(train.tokens(examples[r]));
            seeds[r] = Seeds.of(seed, step, examples[r]);
        }
        return MlmLoss.of(model, masking.collate(cells, seeds), packed);
    }

    /** The loss is a mean over masked tokens: the ranks' shares are weighted by their masked tokens. */
    @Override
    public long weight(int[] examples, long step) {
        long n = 0;
        for (int i : examples) {
            n += masking.selected(train.tokens(i), Seeds.of(seed, step, i));
        }
        return n;
    }

    @Override
    public Map<String, Double> evaluate(BertModel model) {
        if (valid.size() == 0) {
            return Map.of();
        }
        double lossSum = 0;
        double unigramSum = 0;
        long correct = 0;
        long masked = 0;
        for (int from = 0; from < valid.size(); from += evalBatch) {
            int to = Math.min(valid.size(), from + evalBatch);
            List<Integer> rows = IntStream.range(from, to).boxed().toList();
            // a batch the device cannot hold runs as its halves; each cell's mask depends on its row alone
            for (double[] part : MemoryBackoff.run(rows, sub -> validationSums(model, sub))) {
                lossSum += part[0];
                correct += (long) part[1];
                unigramSum += part[2];
                masked += (long) part[3];
            }
        }
        Map<String, Double> m = new LinkedHashMap<>();
        double loss = lossSum / Math.max(1, masked);
        m.put("loss", loss);
        m.put("accuracy", correct / (double) Math.max(1, masked));
        m.put("perplexity", Math.exp(loss));
        m.put("unigram_loss", unigramSum / Math.max(1, masked));
        m.put("masked_tokens", (double) masked);
        return m;
    }

    /**
     * Summed masked-token loss, correct predictions, unigram loss and masked tokens of validation rows
     * {@code rows}: one element, as {@link MemoryBackoff} wants a list.
     */
    private List<double[]> validationSums(BertModel model, List<Integer> rows) {
        List<int[]> cells = new ArrayList<>(rows.size());
        long[] seeds = new long[rows.size()];
        for (int r = 0; r < seeds.length; r++) {
            cells.add(valid.tokens(rows.get(r)));
            seeds[r] = Seeds.of(seed, -1, rows.get(r)); // the same masks at every evaluation
        }
        MlmMasking.Batch batch = masking.collate(cells, seeds);
        if (batch.selected() == 0) {
            return List.of();
        }
        double[] sums = new double[4];
        MemoryBackoff.check(cells.stream().mapToLong(c -> c.length).sum());
        try (PointerScope scope = new PointerScope()) {
            MlmLoss.Predicted p = MlmLoss.Predicted.of(model, batch, packed);
            sums[0] = p.loss().item_double() * batch.selected();
            sums[1] = p.correct();
        }
        for (long label : batch.labels()) {
            if (label != MlmMasking.IGNORE_INDEX) {
                sums[2] -= logFrequency[(int) label];
            }
        }
        sums[3] = batch.selected();
        return List.of(sums);
    }

    /** log p(token) in the training cells, add-one smoothed so that a gene seen only in validation costs a finite loss. */
    private static double[] unigram(long[] counts, int vocab) {
        double[] out = new double[vocab];
        double total = vocab;
        for (int i = 0; i < vocab; i++) {
            total += counts[i];
        }
        for (int i = 0; i < vocab; i++) {
            out[i] = Math.log((counts[i] + 1.0) / total);
        }
        return out;
    }
}
