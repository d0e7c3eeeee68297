package org.geneformer4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;

/**
 * Upstream's {@code X / n_counts * target_sum / medians} evaluated by scipy (sparse X) and numpy (dense X), float32
 * and float64 (scripts/fixtures/make_fixtures.py), must be reproduced to the bit.
 */
class NormalizationTest {
    @Test
    void reproducesScipyAndNumpyArithmeticBitForBit() throws Exception {
        List<String> lines = Files.readAllLines(TestData.resource("fixtures/normalization_cases.tsv"));
        Normalization sparse32 = new Normalization(Normalization.Path.SCIPY_SPARSE, true, 10_000);
        Normalization dense32 = new Normalization(Normalization.Path.NUMPY_DENSE, true, 10_000);
        Normalization sparse64 = new Normalization(Normalization.Path.SCIPY_SPARSE, false, 10_000);
        int cases = 0, float32DiffersFromDouble = 0;
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split("\t");
            double x = Double.parseDouble(f[0]), n = Double.parseDouble(f[1]), median = Double.parseDouble(f[2]);
            check(Double.parseDouble(f[3]), sparse32, x, n, median, line);
            check(Double.parseDouble(f[4]), dense32, x, n, median, line);
            check(Double.parseDouble(f[5]), sparse64, x, n, median, line);
            if (Double.parseDouble(f[3]) != x / n * 10_000 / median) float32DiffersFromDouble++;
            cases++;
        }
        assertEquals(2000, cases);
        assertTrue(float32DiffersFromDouble > 1000, "the cases tell the arithmetics apart: " + float32DiffersFromDouble);
    }

    private static void check(double expected, Normalization norm, double x, double n, double median, String line) {
        double got = norm.value(x, norm.cellFactor(n), median, 1.0 / median);
        assertEquals(Double.doubleToLongBits(expected), Double.doubleToLongBits(got), line);
    }
}
