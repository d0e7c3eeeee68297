package org.geneformer4j.dataset;

/**
 * The {@code input_ids} of a tokenized dataset by row, read when asked for: only the lengths are held in memory
 * (what a length-grouped sampler needs), so a corpus of any size is trained on with flat memory. Open with
 * {@link Datasets#tokenRows}. Reads may come from several threads.
 */
public interface TokenRows extends AutoCloseable {
    /** Rows in the dataset. */
    int size();

    /** Token count of {@code row}, from memory. */
    int length(int row);

    /** The token ids of {@code row}, read now. */
    int[] tokens(int row);

    /** Where {@code row} is (file and row in it), for messages. */
    String where(int row);

    @Override
    void close();
}
