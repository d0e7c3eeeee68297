package org.geneformer4j.stats;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.TestData;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every stats mode against the tables scipy, statsmodels, scikit-learn and pandas give for the same runs
 * (scripts/fixtures/make_stats_fixtures.py): same columns, same rows in the same order, integers and names equal,
 * p-values and FDRs within 1e-9 relative, means within 1e-12, significance and mixture components identical.
 */
class PerturbStatsReferenceTest {
    static final Path DIR = TestData.resource("fixtures/stats");

    @ParameterizedTest
    @CsvSource({
        "goal_state_shift, goal, goal_state_shift,",
        "goal_state_shift, goal_group, goal_group,",
        "aggregate_data, goal_group, aggregate_data,",
        "vs_null, test, vs_null,",
        "mixture_model, mixture, mixture_model,",
        "mixture_model, combos, combos,",
        "aggregate_gene_shifts, shifts, aggregate_gene_shifts,",
        "mixture_model, shifts, mixture_anchor, anchor",
    })
    void tableMatchesTheReference(String mode, String run, String expected, String anchor) throws Exception {
        String anchorGene = anchor == null ? null : extra().get("anchor_gene").asText();
        StatsTable t = PerturbStats.compute(PerturbStats.mode(mode), DIR.resolve(run), DIR.resolve("null"), anchorGene, 300);
        List<String> lines = Files.readAllLines(DIR.resolve("expected/" + expected + ".csv"));
        List<String> cols = Csv.split(lines.get(0));
        assertEquals(cols, t.columns());
        assertEquals(lines.size() - 1, t.rows(), "rows");
        for (int r = 0; r < t.rows(); r++) {
            List<String> want = Csv.split(lines.get(r + 1));
            for (int c = 0; c < cols.size(); c++) {
                String col = cols.get(c);
                Object got = t.get(r, col);
                String w = want.get(c);
                String where = expected + " row " + r + " " + col;
                if (got instanceof Double d) {
                    double e = w.isEmpty() ? Double.NaN : Double.parseDouble(w);
                    boolean stat = col.contains("pval") || col.contains("FDR");
                    double tol = stat ? 1e-9 * Math.abs(e) : 1e-12;
                    if (Double.isNaN(e)) {
                        assertTrue(d.isNaN(), where + ": " + d);
                    } else {
                        assertEquals(e, d, tol, where);
                    }
                } else {
                    assertEquals(w.equals("True") ? "1" : w, got == null ? "" : got.toString(), where);
                }
            }
        }
    }

    @Test
    void benjaminiHochbergIsStatsmodelsToTheBit() throws Exception {
        double[] p = doubles(extra().get("raw_pvalues"));
        assertArrayEquals(doubles(extra().get("raw_fdr")), Fdr.benjaminiHochberg(p), 0.0);
    }

    @Test
    void thePooledListIsLongerThanTheSampleSoSamplingIsExercised() throws Exception {
        assertTrue(extra().get("pool_size").asInt() > 300);
    }

    @Test
    void pythonRandomSampleIsBitForBit() throws Exception {
        assertArrayEquals(TestData.ints(extra().get("sample_pool")), new PythonRandom(42).sample(300, 100));
        assertArrayEquals(TestData.ints(extra().get("sample_set")), new PythonRandom(42).sample(5000, 100));
        PythonRandom r = new PythonRandom(7);
        for (JsonNode v : extra().get("random_seed7")) {
            assertEquals(v.asDouble(), r.random(), 0.0);
        }
    }

    @Test
    void mixtureFitIsScikitLearnsWithComponentsOrderedByMean() throws Exception {
        JsonNode g = extra().get("mixture_gmm");
        // the same gene means the reference fitted (mixture_model.csv, Test_avg_shift in the fixture's row order)
        List<String> lines = Files.readAllLines(DIR.resolve("expected/mixture_model.csv"));
        int col = Csv.split(lines.get(0)).indexOf("Test_avg_shift");
        List<Double> means = new ArrayList<>();
        for (String l : lines.subList(1, lines.size())) {
            means.add(Double.parseDouble(Csv.split(l).get(col)));
        }
        GaussianMixture1D gm = GaussianMixture1D.fit(means.stream().mapToDouble(Double::doubleValue).toArray());
        for (int k = 0; k < 2; k++) {
            assertEquals(g.get("means").get(k).asDouble(), gm.mean(k), 1e-9);
            assertEquals(g.get("variances").get(k).asDouble(), gm.variance(k), 1e-9);
            assertEquals(g.get("weights").get(k).asDouble(), gm.weight(k), 1e-9);
        }
        assertTrue(g.get("sklearn_order_reversed").asBoolean(),
                "the fixture is one where scikit-learn's component 0 is the higher mean, which upstream misreads");
    }

    @Test
    void rankSumsAgreesWithCommonsMathMannWhitney() {
        double[] x = {0.1, 0.2, 0.2, 0.5, 0.7, 0.9, 0.9, 1.3};
        double[] y = {0.2, 0.4, 0.9, 1.1, 1.2, 1.2};
        double p = new RankSums(x).pvalue(y);
        double cm = new org.apache.commons.math3.stat.inference.MannWhitneyUTest().mannWhitneyUTest(x, y);
        assertEquals(cm, p, 1e-12 * cm);
    }

    static JsonNode extra() throws Exception {
        return new ObjectMapper().readTree(DIR.resolve("expected/extra.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }
}
