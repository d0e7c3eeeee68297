package org.geneformer4j.multitask;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.engine.CellQuery;
import org.geneformer4j.engine.Sample;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.engine.TokenCheck;
import org.geneformer4j.util.UserException;

/**
 * The cells of a multi-task run with one label per task column, as upstream's MTL data: each task's classes are the
 * sorted unique values of its column ({@code task_label_mappings}). A cell may lack a label for some tasks (empty,
 * {@code nan}, null): it then counts only in the other tasks' losses and figures, which upstream cannot do (its label
 * map would make "nan" a class). A cell labelled for no task teaches nothing and is dropped.
 *
 * <p>Each {@link LabeledCell} carries the first task's label (or {@link #MISSING}), so that the classifier's splits
 * stratify on the first task as {@code finetune cell} stratifies on its label.
 */
public record MultiTaskCells(List<LabeledCell> cells, List<TaskLabels> tasks, Map<Integer, int[]> labelsByRow) {
    /** The first task's stratum for cells without its label. */
    public static final String MISSING = "<missing>";

    /** A task: its column and its classes in id order. */
    public record TaskLabels(String column, List<String> classes) {}

    /** Per task, the class id of {@code c}, or -1 where the cell has no label for that task. */
    public int[] labelsOf(LabeledCell c) {
        return labelsByRow.get(c.row());
    }

    public static boolean missing(String v) {
        return v == null || v.isBlank() || v.trim().toLowerCase(Locale.ROOT).equals("nan");
    }

    /** Reads the task columns (and the group column, or null) of the filtered cells, at most {@code maxCells} (0: all). */
    public static MultiTaskCells read(Path dataset, List<String> taskColumns, String groupColumn, Map<String, Set<String>> filters,
            TokenCheck fit, int maxCells, long seed, Consumer<String> info) {
        CellQuery q = CellQuery.all().filter(filters).carry("--tasks", taskColumns)
                .carry("--split-by", groupColumn == null ? List.of() : List.of(groupColumn));
        List<SelectedCell> cells;
        try (DatasetReader r = Datasets.openTokenized(dataset)) {
            cells = q.select(r, fit).cells();
        }
        return of(cells, taskColumns, groupColumn != null, maxCells, seed, info);
    }

    /** The label maps and label ids of cells whose carried values are the task columns, then the group if any. */
    static MultiTaskCells of(List<SelectedCell> selected, List<String> taskColumns, boolean hasGroup, int maxCells, long seed,
            Consumer<String> info) {
        int nt = taskColumns.size();
        if (nt == 0) {
            throw new UserException("--tasks names no column");
        }
        if (new HashSet<>(taskColumns).size() != nt) {
            throw new UserException("--tasks names a column twice: " + taskColumns);
        }
        List<SelectedCell> kept = new ArrayList<>();
        for (SelectedCell c : selected) {
            boolean any = false;
            for (int t = 0; t < nt; t++) {
                any |= !missing(c.value(t));
            }
            if (any) {
                kept.add(c);
            }
        }
        if (kept.size() < selected.size()) {
            info.accept((selected.size() - kept.size()) + " cell(s) have a label for no task and are left out");
        }
        kept = new ArrayList<>(Sample.of(kept, maxCells, seed));
        kept.sort(java.util.Comparator.comparingInt(SelectedCell::row));
        List<TaskLabels> tasks = new ArrayList<>();
        int[] unlabelled = new int[nt];
        for (int t = 0; t < nt; t++) {
            TreeSet<String> classes = new TreeSet<>();
            for (SelectedCell c : kept) {
                if (missing(c.value(t))) {
                    unlabelled[t]++;
                } else {
                    classes.add(c.value(t));
                }
            }
            if (classes.size() < 2) {
                throw new UserException("task '" + taskColumns.get(t) + "' has " + classes.size() + " class"
                        + (classes.size() == 1 ? " (" + classes.first() + ")" : "es") + " among the selected cells; a classifier needs at least 2");
            }
            tasks.add(new TaskLabels(taskColumns.get(t), List.copyOf(classes)));
            if (unlabelled[t] > 0) {
                info.accept("task '" + taskColumns.get(t) + "': " + unlabelled[t] + " cell(s) without a label count only in the other tasks");
            }
        }
        List<LabeledCell> cells = new ArrayList<>(kept.size());
        Map<Integer, int[]> labels = new HashMap<>();
        for (SelectedCell c : kept) {
            int[] y = new int[nt];
            for (int t = 0; t < nt; t++) {
                y[t] = missing(c.value(t)) ? -1 : java.util.Collections.binarySearch(tasks.get(t).classes(), c.value(t));
            }
            labels.put(c.row(), y);
            cells.add(new LabeledCell(c.row(), c.id(), c.tokens(), missing(c.value(0)) ? MISSING : c.value(0),
                    hasGroup ? c.value(nt) : null));
        }
        return new MultiTaskCells(List.copyOf(cells), List.copyOf(tasks), Map.copyOf(labels));
    }
}
