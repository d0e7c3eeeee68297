package org.geneformer4j.plot;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Legend entries stay in one row while they fit (a classifier's pictures are unchanged) and wrap when they do not. */
class CurvesPlotLegendTest {
    static List<CurvesPlot.Series> named(String... names) {
        return java.util.Arrays.stream(names).map(n -> new CurvesPlot.Series(n, new double[] {1}, new double[] {1})).toList();
    }

    @Test
    void shortNamesShareARowLongOnesWrap() {
        assertEquals(2, CurvesPlot.legendPerRow(named("training loss", "validation loss")));
        assertEquals(2, CurvesPlot.legendPerRow(named("accuracy", "macro F1")));
        assertEquals(2, CurvesPlot.legendPerRow(named("cell_type accuracy", "cell_type macro F1", "condition accuracy", "condition macro F1")));
        assertEquals(3, CurvesPlot.legendPerRow(named("training loss", "validation loss", "cell_type loss", "condition loss")));
    }
}
