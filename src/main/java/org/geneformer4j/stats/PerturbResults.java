package org.geneformer4j.stats;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.geneformer4j.perturb.RunInfo;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.UserException;

/**
 * The rows of a perturbation directory gathered as upstream's stats gather its pickles: values per
 * (perturbed, "cell_emb") for each state ("" without states), per (perturbed, affected gene), and, for combos, per
 * cell. Shards are read in name order (cell order), so pooled lists have one defined order where upstream's follow
 * {@code os.listdir}.
 */
final class PerturbResults {
    static final String CELL = "cell_emb";
    final RunInfo info;
    /** state -> perturbed IDs (";"-joined) -> values over cells. */
    final Map<String, Map<String, Values>> cell = new LinkedHashMap<>();
    /** perturbed -> affected gene ID -> values over cells (gene embeddings, no state). */
    final Map<String, Map<String, Values>> gene = new LinkedHashMap<>();
    /** For combos: cell -> perturbed -> value. */
    final Map<String, Map<String, Double>> byCell = new LinkedHashMap<>();

    private PerturbResults(RunInfo info) {
        this.info = info;
    }

    static PerturbResults read(Path dir) {
        RunInfo info = RunInfo.read(dir);
        PerturbResults r = new PerturbResults(info);
        List<Path> shards;
        try (Stream<Path> s = Files.list(dir)) {
            shards = s.filter(p -> p.getFileName().toString().matches("part-.*\\.csv")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (shards.isEmpty()) {
            throw new UserException(dir + " has no part-*.csv shards: has geneformer perturb written any?");
        }
        for (Path p : shards) {
            r.readShard(p);
        }
        return r;
    }

    private void readShard(Path p) {
        try (BufferedReader in = Files.newBufferedReader(p)) {
            String header = in.readLine();
            List<String> cols = header == null ? List.of() : Csv.split(header);
            int cellCol = cols.indexOf("cell");
            int pert = cols.indexOf("perturbed");
            int aff = cols.indexOf("affected");
            int state = cols.indexOf("state");
            int value = cols.indexOf("value");
            if (Math.min(Math.min(cellCol, pert), Math.min(Math.min(aff, state), value)) < 0) {
                throw new UserException(p + " is not a perturbation shard (needs columns cell, perturbed, affected, state, value)");
            }
            Map<String, String> interned = new HashMap<>();
            String line;
            int n = 1;
            while ((line = in.readLine()) != null) {
                n++;
                List<String> f = Csv.split(line);
                if (f.size() != cols.size()) {
                    throw new UserException(p + " line " + n + ": " + f.size() + " fields, header has " + cols.size());
                }
                double v;
                try {
                    v = Float.parseFloat(f.get(value)); // float32 as written, widened as upstream's .item() widens
                } catch (NumberFormatException e) {
                    throw new UserException(p + " line " + n + ": value '" + f.get(value) + "' is not a number");
                }
                String perturbed = interned.computeIfAbsent(f.get(pert), k -> k);
                String affected = interned.computeIfAbsent(f.get(aff), k -> k);
                String st = f.get(state);
                if (affected.equals(CELL)) {
                    cell.computeIfAbsent(st, k -> new LinkedHashMap<>()).computeIfAbsent(perturbed, k -> new Values()).add(v);
                    if (info.combos() > 0) {
                        byCell.computeIfAbsent(f.get(cellCol), k -> new HashMap<>()).put(perturbed, v);
                    }
                } else {
                    gene.computeIfAbsent(perturbed, k -> new LinkedHashMap<>()).computeIfAbsent(affected, k -> new Values()).add(v);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Values of the cell embedding for one state ("" for plain cosines); empty if none. */
    Map<String, Values> cellValues(String state) {
        return cell.getOrDefault(state, Map.of());
    }

    List<String> states() {
        return new ArrayList<>(cell.keySet());
    }
}
