package org.geneformer4j.tokenize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.geneformer4j.vocab.GeneVocabulary;

/** Builds small vocabularies for tests through the public file-based loader. */
final class GeneVocabularyAccess {
    private GeneVocabularyAccess() {
    }

    static GeneVocabulary build(Map<String, String> tokens, Map<String, String> medians, Map<String, String> mapping) {
        try {
            Path dir = Files.createTempDirectory("vocab");
            Path t = write(dir.resolve("tokens.tsv"), tokens);
            Path m = write(dir.resolve("medians.tsv"), medians);
            Path g = write(dir.resolve("mapping.tsv"), mapping);
            return GeneVocabulary.load(t, m, g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path p, Map<String, String> m) throws IOException {
        StringBuilder sb = new StringBuilder();
        m.forEach((k, v) -> sb.append(k).append('\t').append(v).append('\n'));
        Files.writeString(p, sb);
        return p;
    }
}
