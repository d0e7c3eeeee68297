package org.geneformer4j.vocab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.geneformer4j.util.TextFiles;
import org.geneformer4j.util.UserException;

/**
 * A Geneformer gene vocabulary: token ids, the non-zero median of each gene (the normalisation factor of the
 * rank-value encoding), and the ID mapping that sends symbols and retired IDs to vocabulary genes.
 *
 * <p>The mapping is filtered to entries whose target is in the vocabulary, exactly as upstream's
 * {@code TranscriptomeTokenizer} does, and keys are looked up after upper-casing the input ID.
 */
public final class GeneVocabulary {
    public static final String PAD = "<pad>";
    public static final String MASK = "<mask>";
    public static final String CLS = "<cls>";
    public static final String EOS = "<eos>";

    private static final Map<String, GeneVocabulary> BUILTIN = new ConcurrentHashMap<>();

    private final String name;
    private final Map<String, Integer> tokenIds;
    private final String[] tokens;
    private final double[] medianByToken;
    private final Map<String, String> mapping;
    private final java.util.function.Supplier<Map<String, String>> symbolSource;
    private volatile Map<String, String> symbolToId;

    private GeneVocabulary(String name, Map<String, Integer> tokenIds, double[] medianByToken,
                           Map<String, String> mapping, java.util.function.Supplier<Map<String, String>> symbolSource) {
        this.name = name;
        this.tokenIds = tokenIds;
        this.medianByToken = medianByToken;
        this.mapping = mapping;
        this.symbolSource = symbolSource;
        int max = tokenIds.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        this.tokens = new String[max + 1];
        tokenIds.forEach((k, v) -> tokens[v] = k);
    }

    /** The bundled vocabulary: {@code gc30M} (V1 models) or {@code gc104M} (V2; {@code gc95M} is the same files). */
    public static GeneVocabulary builtin(String name) {
        String key = switch (name) {
            case "gc30M" -> "gc30M";
            case "gc104M", "gc95M" -> "gc104M";
            default -> throw new UserException("unknown bundled vocabulary '" + name + "' (known: gc30M, gc104M)");
        };
        return BUILTIN.computeIfAbsent(key, GeneVocabulary::loadBuiltin);
    }

    private static GeneVocabulary loadBuiltin(String key) {
        // the mapping is the largest file: parse it on another core meanwhile. Gene names are only needed to
        // look up symbols, never to tokenize: read them on first use.
        java.util.concurrent.CompletableFuture<Map<String, String>> mapping =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> resource("ensembl_mapping_dict_" + key));
        Map<String, String> tokens = resource("token_dictionary_" + key);
        Map<String, String> medians = resource("gene_median_dictionary_" + key);
        return build(key, tokens, medians, mapping.join(), () -> resource("gene_name_id_dict_" + key));
    }

    private static Map<String, String> resource(String stem) {
        String res = stem + ".tsv.gz";
        try (InputStream in = GeneVocabulary.class.getResourceAsStream(res)) {
            if (in == null) {
                throw new IllegalStateException("bundled dictionary missing from the jar: " + res);
            }
            try (BufferedReader r = TextFiles.reader(in)) {
                return DictionaryFile.fromTsv(r, res);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A user-supplied vocabulary. {@code mappingFile} may be null: upstream then uses the identity over the
     * vocabulary's keys. Gene symbols come from the bundled vocabulary of the same size, if any.
     */
    public static GeneVocabulary load(Path tokenFile, Path medianFile, Path mappingFile) {
        Map<String, String> tokens = DictionaryFile.read(tokenFile);
        Map<String, String> medians = DictionaryFile.read(medianFile);
        Map<String, String> mapping = mappingFile == null ? null : DictionaryFile.read(mappingFile);
        return build(tokenFile.getFileName().toString(), tokens, medians, mapping, Map::of);
    }

    static GeneVocabulary build(String name, Map<String, String> tokenDict, Map<String, String> medianDict,
                                Map<String, String> mappingDict, java.util.function.Supplier<Map<String, String>> nameDict) {
        Map<String, Integer> ids = new HashMap<>(tokenDict.size() * 2);
        for (Map.Entry<String, String> e : tokenDict.entrySet()) {
            try {
                ids.put(e.getKey(), Integer.parseInt(e.getValue().trim()));
            } catch (NumberFormatException ex) {
                throw new UserException(name + ": token id of '" + e.getKey() + "' is not an integer: " + e.getValue());
            }
        }
        if (!ids.containsKey(PAD) || !ids.containsKey(MASK)) {
            throw new UserException(name + ": token dictionary lacks <pad> or <mask>; is this a Geneformer token dictionary?");
        }
        int max = ids.values().stream().mapToInt(Integer::intValue).max().orElse(0);
        int min = ids.values().stream().mapToInt(Integer::intValue).min().orElse(0);
        // the medians are indexed by token id: an id far past the dictionary's size is damage, not a vocabulary
        // (found by fuzzing: 2147483647 overflowed the array size)
        if (min < 0 || max >= 2L * ids.size() + 1024) {
            throw new UserException(name + ": token ids run from " + min + " to " + max + " for " + ids.size()
                    + " entries; a Geneformer token dictionary numbers its tokens 0 to N-1");
        }
        double[] medians = new double[max + 1];
        Arrays.fill(medians, Double.NaN);
        for (Map.Entry<String, Integer> e : ids.entrySet()) {
            String gene = e.getKey();
            if (gene.startsWith("<")) {
                continue;
            }
            String m = medianDict.get(gene);
            if (m == null) {
                throw new UserException(name + ": gene " + gene + " has a token but no median in the median dictionary");
            }
            try {
                medians[e.getValue()] = Double.parseDouble(m.trim());
            } catch (NumberFormatException ex) {
                throw new UserException(name + ": the median of " + gene + " is not a number: " + m);
            }
        }
        Map<String, String> mapping = null;
        if (mappingDict != null) {
            mapping = new HashMap<>(mappingDict.size() * 2);
            for (Map.Entry<String, String> e : mappingDict.entrySet()) {
                if (ids.containsKey(e.getValue())) {
                    mapping.put(e.getKey(), e.getValue());
                }
            }
        }
        return new GeneVocabulary(name, ids, medians, mapping, nameDict);
    }

    public String name() {
        return name;
    }

    /** Number of token ids (the model's {@code vocab_size}). */
    public int size() {
        return tokens.length;
    }

    /** Token id of a vocabulary key (Ensembl ID or special token), or -1. */
    public int tokenOf(String key) {
        Integer id = tokenIds.get(key);
        return id == null ? -1 : id;
    }

    public String tokenName(int token) {
        return token >= 0 && token < tokens.length ? tokens[token] : null;
    }

    /** Non-zero median of the gene behind a token (NaN for special tokens). */
    public double median(int token) {
        return medianByToken[token];
    }

    public boolean hasSpecialTokens() {
        return tokenIds.containsKey(CLS) && tokenIds.containsKey(EOS);
    }

    public int cls() {
        return tokenOf(CLS);
    }

    public int eos() {
        return tokenOf(EOS);
    }

    public int pad() {
        return tokenOf(PAD);
    }

    public int mask() {
        return tokenOf(MASK);
    }

    /**
     * The vocabulary gene an input ID stands for, or null. Upper-cases the ID and looks it up in the mapping
     * (filtered to vocabulary targets), or, without a mapping, in the vocabulary itself.
     */
    public String mapGeneId(String rawId) {
        if (rawId == null) {
            return null;
        }
        String key = rawId.toUpperCase(Locale.ROOT);
        if (mapping == null) {
            return tokenIds.containsKey(key) && !key.startsWith("<") ? key : null;
        }
        return mapping.get(key);
    }

    /** Ensembl ID of a gene symbol from the vocabulary's {@code gene_name_id_dict}, or null. */
    public String idOfSymbol(String symbol) {
        Map<String, String> names = symbolToId;
        if (names == null) {
            synchronized (this) {
                if (symbolToId == null) symbolToId = symbolSource.get();
                names = symbolToId;
            }
        }
        return names.get(symbol);
    }

    /** A gene symbol for an Ensembl ID, or null: of several names for one ID, the last in {@code gene_name_id_dict} (upstream inverts the dict). */
    public String symbolOf(String ensemblId) {
        Map<String, String> r = idToSymbol;
        if (r == null) {
            idOfSymbol("");
            synchronized (this) {
                if (idToSymbol == null) {
                    Map<String, String> m = new java.util.HashMap<>();
                    symbolToId.forEach((sym, id) -> m.put(id, sym)); // the last name wins, as upstream's invert_dict
                    idToSymbol = m;
                }
                r = idToSymbol;
            }
        }
        return r.get(ensemblId);
    }

    private volatile Map<String, String> idToSymbol;
}
