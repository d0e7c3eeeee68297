package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.tokenize.TokenizeReport;
import org.geneformer4j.tokenize.EncoderChoice;
import org.geneformer4j.tokenize.Tokenizer;
import org.geneformer4j.tokenize.TokenizerSettings;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "tokenize", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Rank-value encode raw counts into a Hugging Face dataset, exactly as upstream's TranscriptomeTokenizer.",
                "Inputs: .h5ad, .loom, 10x .h5, 10x matrix directories; several are concatenated in the order given.",
                "Output columns: input_ids, the --attr columns, cell_id (the obs index), length."})
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, split = ",", paramLabel = "FILE",
            description = "Input file(s) or 10x directories.")
    List<Path> inputs;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output dataset directory (e.g. cells.dataset).")
    Path output;

    @Option(names = "--model-version", defaultValue = "V2", description = "V1 (gc30M, 2048, no special tokens) or V2 (gc104M, 4096, <cls>/<eos>). Default: ${DEFAULT-VALUE}.")
    String modelVersion;

    @Option(names = "--input-size", description = "Maximum tokens per cell (default 2048 for V1, 4096 for V2).")
    Integer inputSize;

    @Option(names = "--special-tokens", negatable = true, description = "Add <cls> and <eos> (default: on for V2, off for V1).")
    Boolean specialTokens;

    @Option(names = "--target-sum", defaultValue = "10000", description = "Normalisation target sum. Default: ${DEFAULT-VALUE}.")
    double targetSum;

    @Option(names = "--collapse-gene-ids", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Map IDs through the mapping dictionary and sum genes that map to one ID (default). "
                    + "--no-collapse-gene-ids uses IDs as they are and rejects duplicates.")
    boolean collapseGeneIds;

    @Option(names = "--attr", paramLabel = "COLUMN[=NAME]", description = "Obs column to carry into the dataset, optionally renamed (upstream's custom_attr_name_dict). Repeatable.")
    List<String> attrs = List.of();

    @Option(names = "--gene-column", paramLabel = "COLUMN", description = "Var column holding gene IDs (default ensembl_id, else the var index).")
    String geneColumn;

    @Option(names = "--layer", description = "Read counts from layers/NAME (h5ad, loom) instead of X.")
    String layer;

    @Option(names = "--raw", description = "Read counts from raw/X (h5ad), with raw/var's genes.")
    boolean raw;

    @Option(names = "--allow-non-integer", description = "Accept non-integer values (counts are expected; normalised data gives meaningless ranks).")
    boolean allowNonInteger;

    @Option(names = "--token-dictionary", paramLabel = "FILE", description = "Custom token dictionary (TSV or JSON); needs --gene-median-file.")
    Path tokenDictionary;

    @Option(names = "--gene-median-file", paramLabel = "FILE", description = "Custom gene median dictionary (TSV or JSON).")
    Path geneMedianFile;

    @Option(names = "--gene-mapping-file", paramLabel = "FILE", description = "Custom ID mapping dictionary (TSV or JSON); default identity with a custom vocabulary.")
    Path geneMappingFile;

    @Option(names = "--chunk-size", defaultValue = "512", description = "Cells per work unit. Default: ${DEFAULT-VALUE}.")
    int chunkSize;

    @Option(names = "--threads", description = "Worker threads (default: all cores).")
    Integer threads;

    @Option(names = "--device", defaultValue = "cpu",
            description = "cpu, or cuda[:N] for the fused CUDA kernel: a GPU or an error, as for every command (--verbose says which encoder ran).")
    String device;

    @Option(names = "--encoder", defaultValue = "java", description = "CPU encoder: java, or native (the C++ twin of the CUDA kernel). Default: ${DEFAULT-VALUE}.")
    String encoder;

    @Option(names = "--min-vocab-coverage", paramLabel = "F", defaultValue = "0.1",
            description = "Refuse an input when fewer than this fraction of its genes are in the vocabulary, or when most of"
                    + " its cells have no vocabulary gene (a wrong gene column or species); 0 disables both. Default: ${DEFAULT-VALUE}.")
    double minVocabCoverage;

    @Option(names = "--prefix-cell-ids", description = "Prefix each cell id with its input's name (s1.h5ad's c1 becomes s1:c1),"
            + " for inputs whose ids repeat (10x barcodes across samples); without it repeated ids across inputs are refused.")
    boolean prefixCellIds;

    @picocli.CommandLine.Mixin
    OverwriteOption overwrite;

    @Override
    public Integer call() throws Exception {
        Log log = Main.log();
        OutputGuard.check(output, overwrite.overwrite, OutputGuard.Kind.dataset(),
                OutputGuard.paths(inputs, tokenDictionary, geneMedianFile, geneMappingFile));
        String version = modelVersion.toUpperCase(Locale.ROOT);
        TokenizerSettings s = TokenizerSettings.forVersion(version);
        if (inputSize != null) s = s.withInputSize(inputSize);
        if (specialTokens != null) s = s.withSpecialTokens(specialTokens);
        if (threads != null) {
            if (threads < 1) throw new UserException("--threads must be at least 1");
            s = s.withThreads(threads);
        }
        if (chunkSize < 1) throw new UserException("--chunk-size must be at least 1");
        s = s.withTargetSum(targetSum).withCollapseGeneIds(collapseGeneIds).withGeneColumn(geneColumn)
                .withAllowNonInteger(allowNonInteger).withChunkSize(chunkSize).withAttributes(parseAttrs(attrs))
                .withMinVocabCoverage(minVocabCoverage).withPrefixCellIds(prefixCellIds);
        GeneVocabulary vocab;
        if (tokenDictionary != null || geneMedianFile != null) {
            if (tokenDictionary == null || geneMedianFile == null) {
                throw new UserException("--token-dictionary and --gene-median-file go together");
            }
            vocab = GeneVocabulary.load(tokenDictionary, geneMedianFile, geneMappingFile);
        } else {
            if (geneMappingFile != null) throw new UserException("--gene-mapping-file needs --token-dictionary and --gene-median-file");
            vocab = GeneVocabulary.builtin(s.vocabularyName());
        }
        Tokenizer t = new Tokenizer(s, vocab, log::info).useNative(EncoderChoice.of(device, encoder, s.threads(), log));
        Progress progress = Progress.forStderr("tokenize", "cells", 0);
        TokenizeReport r = t.run(inputs, new Readers.Options(layer, raw), output, overwrite.overwrite, progress);
        log.info(String.format(Locale.ROOT, "wrote %d cells to %s (%d read, %d truncated to %d tokens, %.1f s)",
                r.cellsWritten(), r.output(), r.cellsRead(), r.truncated(), s.inputSize(), progress.seconds()));
        if (t.nativeAllocations() > 0) {
            log.detail("tokenizer: " + t.nativeSummary());
        }
        return 0;
    }

    static Map<String, String> parseAttrs(List<String> specs) {
        Map<String, String> m = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            String col = eq < 0 ? spec : spec.substring(0, eq);
            String name = eq < 0 ? spec : spec.substring(eq + 1);
            if (col.isEmpty() || name.isEmpty()) throw new UserException("--attr expects COLUMN or COLUMN=NAME, not '" + spec + "'");
            if (name.equals("input_ids") || name.equals("length")) throw new UserException("--attr cannot name an output column '" + name + "'");
            if (m.containsValue(name)) throw new UserException("--attr names the output column '" + name + "' twice");
            m.put(col, name);
        }
        return m;
    }
}
