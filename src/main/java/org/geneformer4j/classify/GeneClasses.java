package org.geneformer4j.classify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Upstream's gene_class_dict: class name to genes (Ensembl IDs or symbols), read from JSON
 * ({@code {"dosage_sensitive": ["ENSG...", ...], ...}}) or a two-column TSV/CSV ({@code gene,class}), and mapped
 * to tokens. Genes outside the vocabulary are reported and skipped; a class left with none is an error.
 */
public record GeneClasses(List<String> classes, Map<Integer, Integer> classOfToken, Map<Integer, String> geneOfToken) {

    public static GeneClasses read(Path file, GeneVocabulary vocab, Consumer<String> info) {
        Map<String, List<String>> byClass = new TreeMap<>();
        try {
            String text = Files.readString(file);
            if (text.stripLeading().startsWith("{")) {
                JsonNode n = new ObjectMapper().readTree(text);
                n.fields().forEachRemaining(e -> {
                    List<String> genes = new ArrayList<>();
                    e.getValue().forEach(g -> genes.add(g.asText()));
                    byClass.put(e.getKey(), genes);
                });
            } else {
                List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
                for (int i = 0; i < lines.size(); i++) {
                    String[] f = lines.get(i).split(lines.get(i).contains("\t") ? "\t" : ",", -1);
                    if (f.length < 2) {
                        throw new UserException(file + " line " + (i + 1) + ": expected two columns, gene and class");
                    }
                    if (i == 0 && f[0].trim().equalsIgnoreCase("gene")) {
                        continue;
                    }
                    byClass.computeIfAbsent(f[1].trim(), k -> new ArrayList<>()).add(f[0].trim());
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        if (byClass.size() < 2) {
            throw new UserException(file + " defines " + byClass.size() + " gene class(es); a classifier needs at least 2");
        }
        List<String> classes = new ArrayList<>(byClass.keySet());
        Map<Integer, Integer> classOf = new LinkedHashMap<>();
        Map<Integer, String> geneOf = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int found = 0;
            for (String g : byClass.get(classes.get(c))) {
                int t = token(vocab, g);
                if (t < 0) {
                    unknown.add(g);
                    continue;
                }
                Integer before = classOf.put(t, c);
                if (before != null && before != c) {
                    throw new UserException(file + ": gene " + g + " is in two classes, " + classes.get(before) + " and " + classes.get(c));
                }
                geneOf.put(t, vocab.tokenName(t));
                found++;
            }
            if (found == 0) {
                throw new UserException(file + ": no gene of class '" + classes.get(c) + "' is in the " + vocab.name()
                        + " vocabulary (Ensembl IDs or symbols; is the model version right?)");
            }
        }
        if (!unknown.isEmpty()) {
            info.accept(unknown.size() + " gene(s) of " + file.getFileName() + " are not in the vocabulary and are skipped, e.g. "
                    + String.join(", ", unknown.subList(0, Math.min(5, unknown.size()))));
        }
        return new GeneClasses(classes, classOf, geneOf);
    }

    private static int token(GeneVocabulary vocab, String gene) {
        String id = vocab.mapGeneId(gene);
        int t = id == null ? -1 : vocab.tokenOf(id);
        if (t < 0) {
            String bySymbol = vocab.idOfSymbol(gene);
            t = bySymbol == null ? -1 : vocab.tokenOf(bySymbol);
        }
        return t;
    }
}
