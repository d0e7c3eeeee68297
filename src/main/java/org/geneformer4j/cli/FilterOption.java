package org.geneformer4j.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Option;

/** {@code --filter}: which cells, the same for every command that reads a dataset ({@link org.geneformer4j.engine.CellQuery}). */
final class FilterOption {
    @Option(names = "--filter", paramLabel = "COLUMN=VALUE[,VALUE]",
            description = "Keep cells whose COLUMN is one of the values (upstream's filter_data). Repeatable.")
    List<String> filters = new ArrayList<>();

    Map<String, Set<String>> map() {
        return parse(filters);
    }

    static Map<String, Set<String>> parse(List<String> specs) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new UserException("--filter expects COLUMN=VALUE[,VALUE], not '" + spec + "'");
            }
            m.computeIfAbsent(spec.substring(0, eq), k -> new LinkedHashSet<>()).addAll(List.of(spec.substring(eq + 1).split(",")));
        }
        return m;
    }
}
