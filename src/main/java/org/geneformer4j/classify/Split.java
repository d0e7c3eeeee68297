package org.geneformer4j.classify;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.UserException;

/**
 * The cells of one training run in three sets. Made stratified by class (the default, as upstream's
 * {@code train_test_split(stratify_by_column=label)}), by an attribute so that no donor or batch is in two sets,
 * from an explicit file of cell ids, or as the folds of a cross-validation.
 */
public record Split(List<LabeledCell> train, List<LabeledCell> valid, List<LabeledCell> test) {

    /** Within each class, a seeded shuffle cut at the fractions; every class gets a cell into each non-empty set. */
    public static Split stratified(List<LabeledCell> cells, SplitSizes sizes, long seed) {
        List<LabeledCell> train = new ArrayList<>(), valid = new ArrayList<>(), test = new ArrayList<>();
        Random rng = new Random(seed);
        for (Map.Entry<String, List<LabeledCell>> e : CellSelection.byLabel(cells).entrySet()) {
            List<LabeledCell> l = e.getValue();
            if (l.size() < sizes.parts()) {
                throw new UserException("class '" + e.getKey() + "' has " + l.size() + " cell(s), too few for a "
                        + sizes.parts() + "-way split: drop it (--rare-threshold, --filter) or change --split");
            }
            Collections.shuffle(l, rng);
            int nTest = sizes.test() > 0 ? Math.max(1, (int) Math.round(l.size() * sizes.test())) : 0;
            int nValid = sizes.valid() > 0 ? Math.max(1, (int) Math.round(l.size() * sizes.valid())) : 0;
            while (l.size() - nTest - nValid < 1) {
                if (nTest >= nValid && nTest > 1) {
                    nTest--;
                } else {
                    nValid--;
                }
            }
            test.addAll(l.subList(0, nTest));
            valid.addAll(l.subList(nTest, nTest + nValid));
            train.addAll(l.subList(nTest + nValid, l.size()));
        }
        return sorted(train, valid, test);
    }

    /** Whole groups (donors) to each set, in a seeded order, until each set holds its share of the cells. */
    public static Split byGroup(List<LabeledCell> cells, SplitSizes sizes, long seed) {
        Map<String, List<LabeledCell>> groups = new TreeMap<>();
        for (LabeledCell c : cells) {
            groups.computeIfAbsent(c.group(), k -> new ArrayList<>()).add(c);
        }
        if (groups.size() < sizes.parts()) {
            throw new UserException("--split-by has " + groups.size() + " distinct value(s), too few for a "
                    + sizes.parts() + "-way split in which no value is in two sets");
        }
        List<String> order = new ArrayList<>(groups.keySet());
        Collections.shuffle(order, new Random(seed));
        List<LabeledCell> train = new ArrayList<>(), valid = new ArrayList<>(), test = new ArrayList<>();
        int n = cells.size();
        int g = 0;
        // the test and validation sets take whole groups until they reach their share; the rest trains
        for (var target : List.of(Map.entry(test, sizes.test()), Map.entry(valid, sizes.valid()))) {
            if (target.getValue() <= 0) {
                continue;
            }
            do {
                target.getKey().addAll(groups.get(order.get(g++)));
            } while (target.getKey().size() < target.getValue() * n && order.size() - g > remainingParts(target.getKey() == test, sizes));
        }
        while (g < order.size()) {
            train.addAll(groups.get(order.get(g++)));
        }
        return sorted(train, valid, test);
    }

    private static int remainingParts(boolean afterTest, SplitSizes sizes) {
        return afterTest && sizes.valid() > 0 ? 2 : 1;
    }

    /** Sets named in a CSV of {@code cell_id,split} (split: train, valid or test); unnamed cells are left out. */
    public static Split fromFile(List<LabeledCell> cells, Path file) {
        Map<String, List<String>> cols = Csv.columns(file);
        List<String> ids = cols.get("cell_id"), sets = cols.get("split");
        if (ids == null || sets == null) {
            throw new UserException(file + ": a split file needs columns cell_id and split (columns: " + cols.keySet() + ")");
        }
        Map<String, String> setOf = new HashMap<>();
        for (int i = 0; i < ids.size(); i++) {
            String s = sets.get(i).trim().toLowerCase(java.util.Locale.ROOT);
            if (!List.of("train", "valid", "test").contains(s)) {
                throw new UserException(file + " row " + (i + 2) + ": split '" + sets.get(i) + "' is not train, valid or test");
            }
            setOf.put(ids.get(i), s);
        }
        List<LabeledCell> train = new ArrayList<>(), valid = new ArrayList<>(), test = new ArrayList<>();
        for (LabeledCell c : cells) {
            String s = setOf.get(c.id());
            if (s != null) {
                (s.equals("train") ? train : s.equals("valid") ? valid : test).add(c);
            }
        }
        if (train.isEmpty()) {
            throw new UserException(file + " names no training cell present in the dataset");
        }
        return sorted(train, valid, test);
    }

    /**
     * {@code k}-fold cross-validation, stratified: each fold is held out once and split (stratified) into validation
     * and test in the ratio of {@code sizes}, as upstream's gene classifier does; the other folds train.
     */
    public static List<Split> folds(List<LabeledCell> cells, int k, SplitSizes sizes, long seed) {
        if (k < 2) {
            throw new UserException("--cv needs at least 2 folds");
        }
        Map<LabeledCell, Integer> fold = new LinkedHashMap<>();
        Random rng = new Random(seed);
        int next = 0;
        for (Map.Entry<String, List<LabeledCell>> e : CellSelection.byLabel(cells).entrySet()) {
            List<LabeledCell> l = e.getValue();
            if (l.size() < k) {
                throw new UserException("class '" + e.getKey() + "' has " + l.size() + " cell(s), fewer than the " + k
                        + " folds: drop it (--rare-threshold, --filter) or use fewer folds");
            }
            Collections.shuffle(l, rng);
            for (LabeledCell c : l) {
                fold.put(c, next++ % k);
            }
        }
        double validShare = sizes.valid() + sizes.test() > 0 ? sizes.valid() / (sizes.valid() + sizes.test()) : 0.5;
        List<Split> out = new ArrayList<>();
        for (int f = 0; f < k; f++) {
            List<LabeledCell> train = new ArrayList<>(), held = new ArrayList<>();
            for (Map.Entry<LabeledCell, Integer> e : fold.entrySet()) {
                (e.getValue() == f ? held : train).add(e.getKey());
            }
            Split h = validShare <= 0 ? new Split(List.of(), List.of(), held)
                    : stratified(held, new SplitSizes(1 - validShare, validShare, 0), seed + f);
            // the stratified helper calls the larger part "train": here it is the test part of the held-out fold
            out.add(sorted(train, h.valid(), validShare <= 0 ? held : h.train()));
        }
        return out;
    }

    private static Split sorted(List<LabeledCell> train, List<LabeledCell> valid, List<LabeledCell> test) {
        return new Split(byRow(train), byRow(valid), byRow(test));
    }

    private static List<LabeledCell> byRow(List<LabeledCell> cells) {
        List<LabeledCell> l = new ArrayList<>(cells);
        l.sort(java.util.Comparator.comparingInt(LabeledCell::row));
        return List.copyOf(l);
    }

    /** A CSV of cell_id,split that {@link #fromFile} reads back. */
    public void write(Path file) {
        StringBuilder sb = new StringBuilder("cell_id,split\n");
        for (var e : List.of(Map.entry("train", train), Map.entry("valid", valid), Map.entry("test", test))) {
            for (LabeledCell c : e.getValue()) {
                sb.append(Csv.quote(c.id())).append(',').append(e.getKey()).append('\n');
            }
        }
        org.geneformer4j.util.AtomicFile.writeString(file, sb.toString());
    }
}
