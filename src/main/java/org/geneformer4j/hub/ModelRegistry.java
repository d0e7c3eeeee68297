package org.geneformer4j.hub;

import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.hub.ModelRegistry;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geneformer4j.util.UserException;

/** The models of {@code models/} (bundled in the jar), looked up by name or alias, case-insensitively. */
public final class ModelRegistry {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static ModelRegistry builtin;

    private final List<ModelCard> cards;
    private final Map<String, ModelCard> byName = new LinkedHashMap<>();

    /** Cards in order of precedence: the first card of a name wins. */
    public ModelRegistry(List<ModelCard> cards) {
        List<ModelCard> unique = new ArrayList<>();
        for (ModelCard c : cards) {
            if (byName.putIfAbsent(key(c.name()), c) == null) {
                unique.add(c);
            }
        }
        this.cards = List.copyOf(unique);
        for (ModelCard c : this.cards) {
            for (String a : c.aliases()) {
                byName.putIfAbsent(key(a), c);
            }
        }
    }

    public static synchronized ModelRegistry builtin() {
        if (builtin == null) {
            List<ModelCard> cards = new ArrayList<>();
            for (String line : resource("models/INDEX").split("\n")) {
                String name = line.strip();
                if (!name.isEmpty() && !name.startsWith("#")) {
                    try {
                        cards.add(ModelCard.of(JSON.readTree(resource("models/" + name + ".json"))));
                    } catch (IOException e) {
                        throw new IllegalStateException("bad registry entry " + name, e);
                    }
                }
            }
            // Users register their own models (fine-tuned ones on the Hub, mirrors) as JSON files in the folders of
            // GENEFORMER_MODELS; an entry there replaces a bundled one of the same name.
            String extra = System.getenv("GENEFORMER_MODELS");
            if (extra != null && !extra.isBlank()) {
                for (String dir : extra.split(java.io.File.pathSeparator)) {
                    cards.addAll(0, fromDirectory(java.nio.file.Path.of(dir)));
                }
            }
            builtin = new ModelRegistry(cards);
        }
        return builtin;
    }

    static List<ModelCard> fromDirectory(java.nio.file.Path dir) {
        List<ModelCard> out = new ArrayList<>();
        try (var files = java.nio.file.Files.list(dir)) {
            for (java.nio.file.Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                try {
                    out.add(ModelCard.of(JSON.readTree(f.toFile())));
                } catch (IOException e) {
                    throw new UserException(f + " (GENEFORMER_MODELS) is not valid JSON: " + e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UserException("GENEFORMER_MODELS names " + dir + ", which cannot be listed: " + e.getMessage());
        }
        return out;
    }

    private static String resource(String path) {
        try (InputStream in = ModelRegistry.class.getClassLoader().getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("missing bundled " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public List<ModelCard> all() {
        return cards;
    }

    public boolean contains(String name) {
        return byName.containsKey(key(name));
    }

    public ModelCard get(String name) {
        ModelCard c = byName.get(key(name));
        if (c == null) {
            throw new UserException("unknown model '" + name + "'; did you mean '" + nearest(name)
                    + "'? ('geneformer models list' shows all)");
        }
        return c;
    }

    /** The registered name or alias closest to {@code name} by edit distance. */
    public String nearest(String name) {
        String k = key(name);
        return cards.stream().flatMap(c -> java.util.stream.Stream.concat(java.util.stream.Stream.of(c.name()),
                        c.aliases().stream()))
                .min(Comparator.comparingInt((String s) -> distance(k, key(s))).thenComparing(s -> s))
                .orElse("");
    }

    private static String key(String s) {
        return s.toLowerCase(Locale.ROOT);
    }

    static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
