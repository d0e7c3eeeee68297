package org.geneformer4j.classify;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.geneformer4j.util.UserException;

/**
 * Upstream's prepare_data for cell classifiers: drop rare classes, cap the number of cells (overall, then per
 * class) with a seeded shuffle, and name the classes. Classes are numbered in sorted order, not in a Python set's
 * order, so the same data always give the same label ids.
 */
public final class CellSelection {
    private CellSelection() {}

    public record Prepared(List<LabeledCell> cells, List<String> classes) {
        public int labelOf(LabeledCell c) {
            return Collections.binarySearch(classes, c.label());
        }
    }

    public static Prepared prepare(List<LabeledCell> cells, String labelColumn, double rareThreshold, int maxCells,
            int maxPerClass, long seed, Consumer<String> info) {
        List<LabeledCell> kept = new ArrayList<>(cells);
        Map<String, Integer> counts = counts(kept);
        if (rareThreshold > 0) {
            // upstream keeps a class only if its share of the cells exceeds the threshold
            List<String> rare = counts.entrySet().stream().filter(e -> e.getValue() / (double) cells.size() <= rareThreshold)
                    .map(Map.Entry::getKey).toList();
            if (!rare.isEmpty()) {
                info.accept("--rare-threshold " + rareThreshold + " drops " + rare.size() + " class(es): " + rare);
                kept.removeIf(c -> rare.contains(c.label()));
            }
        }
        kept = org.geneformer4j.engine.Sample.of(kept, maxCells, seed);
        if (maxPerClass > 0) {
            Map<String, List<LabeledCell>> by = byLabel(kept);
            List<LabeledCell> capped = new ArrayList<>();
            Random rng = new Random(seed);
            for (List<LabeledCell> l : by.values()) {
                if (l.size() > maxPerClass) {
                    Collections.shuffle(l, rng);
                    l = l.subList(0, maxPerClass);
                }
                capped.addAll(l);
            }
            capped.sort(java.util.Comparator.comparingInt(LabeledCell::row));
            kept = capped;
        }
        List<String> classes = new ArrayList<>(counts(kept).keySet());
        if (classes.size() < 2) {
            throw new UserException("label column '" + labelColumn + "' has " + classes.size() + " class" + (classes.size() == 1 ? " (" + classes.get(0) + ")" : "es")
                    + " after filtering; a classifier needs at least 2");
        }
        return new Prepared(kept, classes);
    }

    static Map<String, Integer> counts(List<LabeledCell> cells) {
        Map<String, Integer> c = new TreeMap<>();
        for (LabeledCell x : cells) {
            if (x.label() == null || x.label().isEmpty() || x.label().equals("nan")) {
                throw new UserException("cell " + x.id() + " has no label; drop unlabelled cells with --filter");
            }
            c.merge(x.label(), 1, Integer::sum);
        }
        return c;
    }

    static Map<String, List<LabeledCell>> byLabel(List<LabeledCell> cells) {
        Map<String, List<LabeledCell>> by = new TreeMap<>();
        for (LabeledCell c : cells) {
            by.computeIfAbsent(c.label(), k -> new ArrayList<>()).add(c);
        }
        return by;
    }
}
