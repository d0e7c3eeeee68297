package org.geneformer4j.tokenize;

import java.nio.file.Path;
import java.util.List;

/**
 * What a tokenization run did, for the log and for tests.
 *
 * @param cellsRead    cells in the inputs
 * @param cellsWritten cells in the dataset (after {@code filter_pass})
 * @param emptyCells   written cells with no expressed vocabulary gene ({@code []} for V1, {@code [<cls>, <eos>]} for V2)
 * @param truncated    written cells with more genes than the input size
 * @param notes        warnings and choices made (missing n_counts, gene column fallback, ...)
 */
public record TokenizeReport(Path output, long cellsRead, long cellsWritten, long emptyCells, long truncated,
                             List<String> notes) {
}
