package org.geneformer4j.pretrain;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * The inputs and labels of masked gene modelling, as upstream Geneformer's pretrainer makes them.
 *
 * <h2>Upstream</h2>
 * {@code GeneformerPretrainer} (geneformer/pretrainer.py, ../shared/reference/GENEFORMER.md §8) collates with
 * transformers' {@code DataCollatorForLanguageModeling(tokenizer=GeneformerPreCollator, mlm=True,
 * mlm_probability=0.15)}. Its {@code torch_mask_tokens}:
 * <ol>
 * <li>pads the batch on the right with {@code <pad>} to its longest cell;</li>
 * <li>selects each position independently with probability 0.15 (Bernoulli), except where the tokenizer's
 *     {@code get_special_tokens_mask} says 1: <b>those positions are never selected</b>;</li>
 * <li>labels: the original token at selected positions, {@code -100} everywhere else;</li>
 * <li>of the selected positions, 80 % become {@code <mask>} (Bernoulli 0.8), half of the rest (10 % overall) a
 *     token drawn uniformly from {@code [0, len(tokenizer))}, the remaining 10 % keep their token.</li>
 * </ol>
 * {@code GeneformerPreCollator} is a {@code SpecialTokensMixin} built with {@code mask_token="<mask>",
 * pad_token="<pad>"} and nothing else, so its special ids are {@code <pad>} and {@code <mask>} only, in V1
 * (gc30M: 0, 1) <em>and in V2</em> (gc104M: 0, 1): upstream leaves {@code <cls>} (2) and {@code <eos>} (3) of V2
 * cells maskable like genes, and its random replacement draws from the whole vocabulary ({@code len(tokenizer)} =
 * {@code len(token_dictionary)}), special ids included. Checked in transformers 5.18 {@code data/data_collator.py}
 * (the rule is unchanged since the 4.x versions upstream pinned), in a V1-era Geneformer pretrainer.py, and against
 * GENEFORMER.md §8, which reads the same collator at upstream's last commit (ff551ee).
 *
 * <h2>Here</h2>
 * {@link #upstream(GeneVocabulary)} is that rule. Two departures are available and off by default:
 * {@link #exemptCellTokens()} also never selects {@code <cls>}/{@code <eos>} (a V2 model's cell token is then
 * never asked to predict itself), and {@link #randomGenesOnly()} draws random replacements from the non-exempt ids
 * only, so a replacement is always a gene. Every draw comes from the caller's {@link SplittableRandom}; seed it
 * with {@link Seeds#of} from the run seed and the batch's coordinates so that a resumed or re-sharded run masks
 * each batch the same way. The draws are statistically those of upstream, not torch's bit stream.
 *
 * <p>Per position, in row-major order: skip if padding or exempt (no draw); draw {@code u < p} to select; then one
 * draw {@code r}: {@code r < 0.8} mask, {@code r < 0.9} random token (one more draw), else unchanged.
 */
public final class MlmMasking {
    /** The label of a position the loss ignores (torch's cross-entropy {@code ignore_index}). */
    public static final long IGNORE_INDEX = -100;
    /** Upstream's {@code mlm_probability}. */
    public static final double UPSTREAM_PROBABILITY = 0.15;
    /** Share of the selected positions replaced by {@code <mask>}. */
    public static final double MASK_SHARE = 0.8;
    /** Share of the selected positions replaced by a random token (the rest keep theirs). */
    public static final double RANDOM_SHARE = 0.1;

    private final int vocabSize;
    private final int padId;
    private final int maskId;
    private final double probability;
    private final boolean[] exempt;
    private final int[] randomPool;
    private final int[] cellTokens;

    private MlmMasking(int vocabSize, int padId, int maskId, double probability, boolean[] exempt, int[] randomPool,
            int[] cellTokens) {
        if (!(probability > 0 && probability < 1)) {
            throw new IllegalArgumentException("masking probability " + probability + " is not in (0, 1)");
        }
        this.vocabSize = vocabSize;
        this.padId = padId;
        this.maskId = maskId;
        this.probability = probability;
        this.exempt = exempt;
        this.randomPool = randomPool;
        this.cellTokens = cellTokens;
    }

    /** Upstream's rule for a vocabulary: {@code <pad>} and {@code <mask>} exempt, random ids from the whole vocabulary. */
    public static MlmMasking upstream(GeneVocabulary v) {
        int[] cell = v.hasSpecialTokens() ? new int[] {v.cls(), v.eos()} : new int[0];
        return upstream(v.size(), v.pad(), v.mask(), cell);
    }

    /**
     * Upstream's rule for a vocabulary of {@code vocabSize} ids; {@code cellTokens} are the ids of {@code <cls>} and
     * {@code <eos>} (empty for V1), maskable under this rule and exempt after {@link #exemptCellTokens()}.
     */
    public static MlmMasking upstream(int vocabSize, int padId, int maskId, int... cellTokens) {
        boolean[] exempt = new boolean[vocabSize];
        exempt[checkId(padId, vocabSize)] = true;
        exempt[checkId(maskId, vocabSize)] = true;
        for (int c : cellTokens) {
            checkId(c, vocabSize);
        }
        int[] all = new int[vocabSize];
        Arrays.setAll(all, i -> i);
        return new MlmMasking(vocabSize, padId, maskId, UPSTREAM_PROBABILITY, exempt, all, cellTokens.clone());
    }

    private static int checkId(int id, int vocabSize) {
        if (id < 0 || id >= vocabSize) {
            throw new IllegalArgumentException("special token id " + id + " outside the vocabulary of " + vocabSize);
        }
        return id;
    }

    /** This rule selecting positions with probability {@code p} instead of 0.15. */
    public MlmMasking withProbability(double p) {
        return new MlmMasking(vocabSize, padId, maskId, p, exempt, randomPool, cellTokens);
    }

    /** This rule with {@code <cls>}/{@code <eos>} never selected either (not upstream: see the class comment). */
    public MlmMasking exemptCellTokens() {
        boolean[] e = exempt.clone();
        for (int c : cellTokens) {
            e[c] = true;
        }
        boolean genesOnly = randomPool.length < vocabSize;
        MlmMasking m = new MlmMasking(vocabSize, padId, maskId, probability, e, randomPool, cellTokens);
        return genesOnly ? m.randomGenesOnly() : m;
    }

    /** This rule drawing random replacements from the non-exempt ids only (not upstream: see the class comment). */
    public MlmMasking randomGenesOnly() {
        int n = 0;
        for (boolean b : exempt) {
            n += b ? 0 : 1;
        }
        int[] pool = new int[n];
        for (int i = 0, k = 0; i < vocabSize; i++) {
            if (!exempt[i]) {
                pool[k++] = i;
            }
        }
        return new MlmMasking(vocabSize, padId, maskId, probability, exempt, pool, cellTokens);
    }

    public int vocabSize() {
        return vocabSize;
    }

    public int padId() {
        return padId;
    }

    public int maskId() {
        return maskId;
    }

    public double probability() {
        return probability;
    }

    /** Whether positions holding {@code id} are never selected. */
    public boolean exempt(int id) {
        return exempt[id];
    }

    /** The ids a random replacement is drawn from, uniformly (a copy). */
    public int[] randomPool() {
        return randomPool.clone();
    }

    /**
     * A padded, masked batch, row-major [rows, length]: model inputs, attention mask (1 token, 0 padding) and labels
     * ({@link #IGNORE_INDEX} where not selected). {@code selected} counts the positions with a label.
     */
    public record Batch(int rows, int length, long[] inputIds, long[] attentionMask, long[] labels, int selected) {
        /** Each row's masked input without its padding (the attention mask's leading ones): to run padded or packed. */
        public List<int[]> cells() {
            List<int[]> out = new java.util.ArrayList<>(rows);
            for (int r = 0; r < rows; r++) {
                int n = 0;
                while (n < length && attentionMask[r * length + n] != 0) {
                    n++;
                }
                int[] c = new int[n];
                for (int j = 0; j < n; j++) {
                    c[j] = (int) inputIds[r * length + j];
                }
                out.add(c);
            }
            return out;
        }
    }

    /** Pads {@code cells} (token ids) on the right with {@code <pad>} to the longest, then masks: the collator's call. */
    public Batch collate(List<int[]> cells, SplittableRandom rng) {
        int rows = cells.size();
        int len = 0;
        for (int[] c : cells) {
            len = Math.max(len, c.length);
        }
        long[] ids = new long[rows * len];
        long[] attention = new long[rows * len];
        Arrays.fill(ids, padId);
        for (int r = 0; r < rows; r++) {
            int[] c = cells.get(r);
            for (int j = 0; j < c.length; j++) {
                if (c[j] < 0 || c[j] >= vocabSize) {
                    throw new IllegalArgumentException("token id " + c[j] + " of row " + r + " outside the vocabulary of "
                            + vocabSize);
                }
                ids[r * len + j] = c[j];
                attention[r * len + j] = 1;
            }
        }
        long[] labels = new long[ids.length];
        int selected = mask(ids, labels, rng);
        return new Batch(rows, len, ids, attention, labels, selected);
    }

    /**
     * Pads {@code cells} on the right, each masked with its own generator ({@code seeds}, one per cell) over its own
     * tokens only: a cell's mask then depends on the cell and its seed, not on which cells share its batch or how
     * long they are, so one process with a batch of 2b and two ranks with b each mask the same cells the same way.
     */
    public Batch collate(List<int[]> cells, long[] seeds) {
        int rows = cells.size();
        int len = 0;
        for (int[] c : cells) {
            len = Math.max(len, c.length);
        }
        long[] ids = new long[rows * len];
        long[] attention = new long[rows * len];
        long[] labels = new long[rows * len];
        Arrays.fill(ids, padId);
        Arrays.fill(labels, IGNORE_INDEX);
        int selected = 0;
        for (int r = 0; r < rows; r++) {
            long[] row = masked(cells.get(r), seeds[r]);
            int n = row.length / 2;
            for (int j = 0; j < n; j++) {
                ids[r * len + j] = row[j];
                labels[r * len + j] = row[n + j];
                attention[r * len + j] = 1;
                selected += row[n + j] != IGNORE_INDEX ? 1 : 0;
            }
        }
        return new Batch(rows, len, ids, attention, labels, selected);
    }

    /** How many of the cell's positions {@link #collate(List, long[])} selects with this seed. */
    public int selected(int[] cell, long seed) {
        long[] row = masked(cell, seed);
        int n = row.length / 2;
        int k = 0;
        for (int j = 0; j < n; j++) {
            k += row[n + j] != IGNORE_INDEX ? 1 : 0;
        }
        return k;
    }

    /** The masked ids followed by the labels of one cell. */
    private long[] masked(int[] cell, long seed) {
        long[] ids = new long[cell.length];
        for (int j = 0; j < cell.length; j++) {
            if (cell[j] < 0 || cell[j] >= vocabSize) {
                throw new IllegalArgumentException("token id " + cell[j] + " outside the vocabulary of " + vocabSize);
            }
            ids[j] = cell[j];
        }
        long[] labels = new long[ids.length];
        mask(ids, labels, new SplittableRandom(seed));
        long[] out = Arrays.copyOf(ids, ids.length * 2);
        System.arraycopy(labels, 0, out, ids.length, labels.length);
        return out;
    }

    /**
     * Masks a padded batch in place: {@code ids} become the model's inputs, {@code labels} (same length) receive the
     * original ids at selected positions and {@link #IGNORE_INDEX} elsewhere. Padding holds {@code <pad>}, which is
     * exempt, so it is never selected. Returns the number of selected positions.
     */
    public int mask(long[] ids, long[] labels, SplittableRandom rng) {
        if (labels.length != ids.length) {
            throw new IllegalArgumentException("labels hold " + labels.length + " positions, ids " + ids.length);
        }
        int selected = 0;
        for (int i = 0; i < ids.length; i++) {
            int id = (int) ids[i];
            if (exempt[id] || rng.nextDouble() >= probability) {
                labels[i] = IGNORE_INDEX;
                continue;
            }
            labels[i] = id;
            selected++;
            double r = rng.nextDouble();
            if (r < MASK_SHARE) {
                ids[i] = maskId;
            } else if (r < MASK_SHARE + RANDOM_SHARE) {
                ids[i] = randomPool[rng.nextInt(randomPool.length)];
            }
        }
        return selected;
    }
}
