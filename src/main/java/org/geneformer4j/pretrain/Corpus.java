package org.geneformer4j.pretrain;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Random;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.TokenRows;
import org.geneformer4j.distributed.DataParallel;
import org.geneformer4j.engine.TokenCheck;
import org.geneformer4j.util.UserException;

/**
 * The cells of a pretraining run, streamed from their datasets: training and validation cells as rows of the
 * corpora ({@link Cells}), and what needs every token, found in one pass over the data split among the ranks and
 * summed: each cell checked against the model, and the training cells' token counts for the unigram baseline.
 * Memory holds the cells' lengths and order (about 12 bytes a cell), never their tokens.
 */
final class Corpus implements AutoCloseable {
    final Cells train;
    final Cells valid;
    /** Occurrences of each token id in the training cells. */
    final long[] tokenCounts;
    private final List<TokenRows> open;

    private Corpus(Cells train, Cells valid, long[] tokenCounts, List<TokenRows> open) {
        this.train = train;
        this.valid = valid;
        this.tokenCounts = tokenCounts;
        this.open = open;
    }

    /**
     * @param validInput validation cells; when null, {@code validFraction} of the input's cells, drawn with
     *                   {@code seed} (the rest train, in the order of the draw)
     */
    static Corpus open(List<Path> inputs, Path validInput, double validFraction, long seed, TokenCheck check, int vocabSize,
            DataParallel parallel) {
        List<TokenRows> open = new ArrayList<>();
        try {
            TokenRows rows = Datasets.tokenRows(inputs);
            open.add(rows);
            if (rows.size() == 0) {
                throw new UserException("the dataset has no cells");
            }
            int[] order = identity(rows.size());
            Cells train = new Cells(rows, order);
            Cells valid = new Cells(rows, new int[0]);
            BitSet held = new BitSet();
            if (validInput != null) {
                TokenRows v = Datasets.tokenRows(List.of(validInput));
                open.add(v);
                valid = new Cells(v, identity(v.size()));
            } else if (validFraction > 0) {
                // Collections.shuffle's draws on the row numbers: the split of the cells held in memory before
                Random rng = new Random(seed);
                for (int i = order.length; i > 1; i--) {
                    int j = rng.nextInt(i);
                    int t = order[i - 1];
                    order[i - 1] = order[j];
                    order[j] = t;
                }
                int n = (int) Math.round(order.length * validFraction);
                int[] v = Arrays.copyOf(order, n);
                Arrays.sort(v); // evaluation reads in row order, which parquet row groups need
                for (int r : v) {
                    held.set(r);
                }
                valid = new Cells(rows, v);
                train = new Cells(rows, Arrays.copyOfRange(order, n, order.length));
            }
            long[] counts = new long[vocabSize];
            scan(rows, held, counts, check, parallel);
            if (open.size() > 1) {
                scan(open.get(1), null, null, check, parallel);
            }
            check.finish();
            return new Corpus(train, valid, parallel.sum(counts), open);
        } catch (RuntimeException e) {
            open.forEach(TokenRows::close);
            throw e;
        }
    }

    /** This rank's share of the rows (contiguous: sequential reads) checked, and the tokens of those not held out counted. */
    private static void scan(TokenRows rows, BitSet held, long[] counts, TokenCheck check, DataParallel parallel) {
        int rank = parallel.cluster().rank();
        int world = parallel.worldSize();
        int from = (int) ((long) rows.size() * rank / world);
        int to = (int) ((long) rows.size() * (rank + 1) / world);
        for (int r = from; r < to; r++) {
            int[] t = rows.tokens(r);
            check.check(rows.where(r), t);
            if (counts != null && !held.get(r)) {
                for (int id : t) {
                    if (id >= counts.length) {
                        throw new UserException("token " + id + " in " + rows.where(r) + " is outside the vocabulary of " + counts.length);
                    }
                    counts[id]++;
                }
            }
        }
    }

    private static int[] identity(int n) {
        int[] a = new int[n];
        Arrays.setAll(a, i -> i);
        return a;
    }

    @Override
    public void close() {
        open.forEach(TokenRows::close);
    }
}
