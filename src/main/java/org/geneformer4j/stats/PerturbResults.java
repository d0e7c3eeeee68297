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
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
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
            shards = s.filter(p -> p.getFileName().toString().matches("part-.*\\.(csv|arrow)")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (shards.isEmpty()) {
            throw new UserException(dir + " has no part-*.arrow or part-*.csv shards: has geneformer perturb written any?");
        }
        for (Path p : shards) {
            if (p.getFileName().toString().endsWith(".arrow")) {
                r.readArrow(p);
            } else {
                r.readShard(p);
            }
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
                add(f.get(cellCol), f.get(pert), f.get(aff), f.get(state), v);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void readArrow(Path p) {
        try (DatasetReader in = Datasets.open(p)) {
            int[] at = new int[5];
            String[] names = {"cell", "perturbed", "affected", "state", "value"};
            for (int i = 0; i < 5; i++) {
                at[i] = in.columnIndex(names[i]);
                if (at[i] < 0) {
                    throw new UserException(p + " is not a perturbation shard (needs columns cell, perturbed, affected, state, value)");
                }
            }
            while (in.hasNext()) {
                RowBatch b = in.next();
                String[] cells = (String[]) b.columns()[at[0]];
                String[] pert = (String[]) b.columns()[at[1]];
                String[] aff = (String[]) b.columns()[at[2]];
                String[] state = (String[]) b.columns()[at[3]];
                float[] value = (float[]) b.columns()[at[4]];
                for (int i = 0; i < b.rows(); i++) {
                    add(cells[i], pert[i], aff[i], state[i] == null ? "" : state[i], value[i]);
                }
            }
        }
    }

    private final Map<String, String> interned = new HashMap<>();

    private void add(String cellId, String perturbedRaw, String affectedRaw, String st, double v) {
        String perturbed = interned.computeIfAbsent(perturbedRaw, k -> k);
        String affected = interned.computeIfAbsent(affectedRaw, k -> k);
        if (affected.equals(CELL)) {
            cell.computeIfAbsent(st, k -> new LinkedHashMap<>()).computeIfAbsent(perturbed, k -> new Values()).add(v);
            if (info.combos() > 0) {
                byCell.computeIfAbsent(cellId, k -> new HashMap<>()).put(perturbed, v);
            }
        } else {
            gene.computeIfAbsent(perturbed, k -> new LinkedHashMap<>()).computeIfAbsent(affected, k -> new Values()).add(v);
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
