package org.geneformer4j.vocab;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.geneformer4j.util.TextFiles;
import org.geneformer4j.util.UserException;

/**
 * Reads a key → value dictionary as Geneformer ships it. The bundled files are upstream's pickles converted to
 * {@code key<TAB>value} TSV (gzip), in pickle order with floats as exact round-trip decimals; users may also bring a
 * JSON object. Insertion order is kept because upstream iterates these dicts in that order.
 */
final class DictionaryFile {
    private DictionaryFile() {
    }

    static Map<String, String> read(Path path) {
        String name = path.getFileName().toString().toLowerCase();
        if (name.endsWith(".pkl") || name.endsWith(".pickle")) {
            throw new UserException(path + ": pickle dictionaries are not read directly; convert it to TSV with "
                    + "scripts/dev/pickle_dict_to_tsv.py or pass the bundled vocabulary (--model-version V1|V2)");
        }
        if (!Files.isRegularFile(path)) {
            throw new UserException(path + ": dictionary file not found");
        }
        try {
            if (name.endsWith(".json") || name.endsWith(".json.gz")) {
                try (InputStream in = Files.newInputStream(path); BufferedReader r = TextFiles.reader(in)) {
                    return fromJson(new ObjectMapper().readTree(r), path);
                }
            }
            try (BufferedReader r = TextFiles.open(path)) {
                return fromTsv(r, path.toString());
            }
        } catch (IOException e) {
            throw new UserException(path + ": cannot read dictionary: " + e.getMessage(), e);
        }
    }

    static Map<String, String> fromTsv(BufferedReader r, String source) throws IOException {
        Map<String, String> map = new LinkedHashMap<>(1 << 16);
        String line;
        int lineNo = 0;
        while ((line = r.readLine()) != null) {
            lineNo++;
            if (line.isEmpty()) {
                continue;
            }
            int tab = line.indexOf('\t');
            if (tab < 0) {
                throw new UserException(source + ":" + lineNo + ": expected 'key<TAB>value'");
            }
            map.put(line.substring(0, tab), line.substring(tab + 1));
        }
        return map;
    }

    private static Map<String, String> fromJson(JsonNode root, Path path) {
        if (!root.isObject()) {
            throw new UserException(path + ": expected a JSON object of key → value");
        }
        Map<String, String> map = new LinkedHashMap<>(1 << 16);
        for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            map.put(e.getKey(), e.getValue().asText());
        }
        return map;
    }
}
