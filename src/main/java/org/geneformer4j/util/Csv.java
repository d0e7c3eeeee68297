package org.geneformer4j.util;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Plain CSV as pandas writes it: a header line, comma-separated fields, double quotes around fields that need them. */
public final class Csv {
    private Csv() {}

    /** One CSV record (RFC 4180 quoting, no embedded newlines). */
    public static List<String> split(String line) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < line.length(); i++) {
            char ch = line.charAt(i);
            if (quoted) {
                if (ch == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
                    cur.append('"');
                    i++;
                } else if (ch == '"') {
                    quoted = false;
                } else {
                    cur.append(ch);
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == ',') {
                out.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        out.add(cur.toString());
        return out;
    }

    /** A field as pandas writes it: quoted when it holds a comma, quote or newline; null as empty. */
    public static String quote(String s) {
        if (s == null) {
            return "";
        }
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A whole small CSV file as columns by header name, in file order; every row must have the header's width. */
    public static Map<String, List<String>> columns(Path path) {
        Map<String, List<String>> cols = new LinkedHashMap<>();
        try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            String header = in.readLine();
            if (header == null) {
                throw new UserException(path + ": empty file");
            }
            List<String> names = split(header);
            for (String n : names) {
                cols.put(n, new ArrayList<>());
            }
            String line;
            int lineNo = 1;
            while ((line = in.readLine()) != null) {
                lineNo++;
                if (line.isEmpty()) {
                    continue;
                }
                List<String> f = split(line);
                if (f.size() != names.size()) {
                    throw new UserException(path + ":" + lineNo + ": " + f.size() + " fields, header has " + names.size());
                }
                for (int c = 0; c < f.size(); c++) {
                    cols.get(names.get(c)).add(f.get(c));
                }
            }
        } catch (IOException e) {
            throw new UserException(path + ": cannot read: " + e.getMessage(), e);
        }
        return cols;
    }
}
