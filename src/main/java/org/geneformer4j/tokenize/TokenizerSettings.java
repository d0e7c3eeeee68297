package org.geneformer4j.tokenize;

import java.util.LinkedHashMap;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * Upstream {@code TranscriptomeTokenizer}'s parameters, with its names and defaults. {@code V1} selects gc30M,
 * 2048 inputs and no special tokens; {@code V2} gc104M, 4096 and {@code <cls>}/{@code <eos>}.
 *
 * @param attributes obs column → output column name (upstream's {@code custom_attr_name_dict}), in order
 */
public record TokenizerSettings(
        String modelVersion,
        int inputSize,
        boolean specialTokens,
        double targetSum,
        boolean collapseGeneIds,
        Map<String, String> attributes,
        String geneColumn,
        boolean allowNonInteger,
        int chunkSize,
        int threads,
        double minVocabCoverage,
        boolean prefixCellIds) {

    /**
     * Below this fraction of an input's genes in the vocabulary the input is refused: a wrong gene column or species
     * gives a handful of matches and mostly empty cells, which tokenize fine and embed as noise.
     */
    public static final double DEFAULT_MIN_VOCAB_COVERAGE = 0.1;

    public static TokenizerSettings forVersion(String version) {
        return switch (version) {
            case "V1" -> new TokenizerSettings("V1", 2048, false, 10_000, true, new LinkedHashMap<>(), null, false, 512,
                    Runtime.getRuntime().availableProcessors(), DEFAULT_MIN_VOCAB_COVERAGE, false);
            case "V2" -> new TokenizerSettings("V2", 4096, true, 10_000, true, new LinkedHashMap<>(), null, false, 512,
                    Runtime.getRuntime().availableProcessors(), DEFAULT_MIN_VOCAB_COVERAGE, false);
            default -> throw new UserException("--model-version must be V1 or V2, not '" + version + "'");
        };
    }

    /** The bundled vocabulary of the version: gc30M for V1, gc104M for V2. */
    public String vocabularyName() {
        return "V1".equals(modelVersion) ? "gc30M" : "gc104M";
    }

    /** Genes kept per cell: the input size, less two places for {@code <cls>} and {@code <eos>}. */
    public int maxGenes() {
        return specialTokens ? inputSize - 2 : inputSize;
    }

    public TokenizerSettings withInputSize(int v) {
        return new TokenizerSettings(modelVersion, v, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withSpecialTokens(boolean v) {
        return new TokenizerSettings(modelVersion, inputSize, v, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withTargetSum(double v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, v, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withCollapseGeneIds(boolean v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, v, attributes, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withAttributes(Map<String, String> v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, v, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withGeneColumn(String v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, v, allowNonInteger, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withAllowNonInteger(boolean v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, v, chunkSize, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withChunkSize(int v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, v, threads, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withThreads(int v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, v, minVocabCoverage, prefixCellIds);
    }

    public TokenizerSettings withMinVocabCoverage(double v) {
        if (!(v >= 0 && v <= 1)) {
            throw new UserException("--min-vocab-coverage must be between 0 and 1, not " + v);
        }
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, threads, v, prefixCellIds);
    }

    public TokenizerSettings withPrefixCellIds(boolean v) {
        return new TokenizerSettings(modelVersion, inputSize, specialTokens, targetSum, collapseGeneIds, attributes, geneColumn, allowNonInteger, chunkSize, threads, minVocabCoverage, v);
    }
}
