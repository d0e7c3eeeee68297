package org.geneformer4j.multitask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;

/** Label maps are each column's sorted unique values; missing labels count in no task; unlabelled cells go. */
class MultiTaskCellsTest {
    static SelectedCell cell(int row, String... values) {
        return new SelectedCell(row, "c" + row, new int[] {2, 10 + row, 3}, values);
    }

    @Test
    void labelMapsAreSortedUniqueValuesAndMissingLabelsAreMinusOne() {
        List<String> info = new ArrayList<>();
        MultiTaskCells d = MultiTaskCells.of(List.of(cell(0, "T", "ctrl", "d1"), cell(1, "B", "nan", "d2"), cell(2, "", "stim", "d1"),
                cell(3, "NaN", null, "d3"), cell(4, "Mono", "stim", "d2")), List.of("type", "cond"), true, 0, 1, info::add);
        assertEquals(List.of("B", "Mono", "T"), d.tasks().get(0).classes());
        assertEquals(List.of("ctrl", "stim"), d.tasks().get(1).classes());
        assertEquals(4, d.cells().size(), "cell 3 has no label at all");
        assertArrayEquals(new int[] {2, 0}, d.labelsOf(d.cells().get(0)));
        assertArrayEquals(new int[] {0, -1}, d.labelsOf(d.cells().get(1)));
        assertArrayEquals(new int[] {-1, 1}, d.labelsOf(d.cells().get(2)));
        assertEquals(MultiTaskCells.MISSING, d.cells().get(2).label(), "the split's stratum for a missing first label");
        assertEquals("d2", d.cells().get(3).group());
        assertTrue(info.stream().anyMatch(s -> s.startsWith("1 cell(s) have a label for no task")), info.toString());
        assertTrue(info.stream().anyMatch(s -> s.contains("task 'cond': 1 cell(s) without a label")), info.toString());
    }

    @Test
    void aTaskNeedsTwoClassesAndDistinctColumns() {
        UserException e = assertThrows(UserException.class,
                () -> MultiTaskCells.of(List.of(cell(0, "a", "x"), cell(1, "b", "x")), List.of("t", "u"), false, 0, 1, s -> {}));
        assertTrue(e.getMessage().contains("task 'u' has 1 class (x)"), e.getMessage());
        assertThrows(UserException.class, () -> MultiTaskCells.of(List.of(cell(0, "a", "a")), List.of("t", "t"), false, 0, 1, s -> {}));
    }

    @Test
    void maxCellsSamplesAndKeepsRowOrder() {
        List<SelectedCell> all = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            all.add(cell(i, i % 2 == 0 ? "a" : "b", i % 3 == 0 ? "x" : "y"));
        }
        MultiTaskCells d = MultiTaskCells.of(all, List.of("t", "u"), false, 7, 1, s -> {});
        assertEquals(7, d.cells().size());
        for (int i = 1; i < 7; i++) {
            assertTrue(d.cells().get(i - 1).row() < d.cells().get(i).row());
        }
    }
}
