package org.geneformer4j.metrics;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;

/** ROC and classification measures against scikit-learn (fixtures/plot/metrics.json, make_plot_fixtures.py). */
class MetricsReferenceTest {
    static JsonNode fixture() throws Exception {
        return new ObjectMapper().readTree(TestData.resource("fixtures/plot/metrics.json").toFile());
    }

    static double[] doubles(JsonNode a) {
        double[] out = new double[a.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = a.get(i).asDouble();
        }
        return out;
    }

    @Test
    void rocMatchesScikitLearnIncludingTies() throws Exception {
        JsonNode f = fixture();
        double[] scores = doubles(f.get("scores"));
        boolean[] pos = new boolean[scores.length];
        for (int i = 0; i < pos.length; i++) {
            pos[i] = f.get("positive").get(i).asBoolean();
        }
        RocCurve r = RocCurve.of(scores, pos);
        assertArrayEquals(doubles(f.get("fpr")), r.fpr(), 1e-12);
        assertArrayEquals(doubles(f.get("tpr")), r.tpr(), 1e-12);
        double[] thr = doubles(f.get("thresholds"));
        for (int i = 1; i < thr.length; i++) {
            assertEquals(thr[i], r.thresholds()[i], 1e-12);
        }
        assertEquals(f.get("auc").asDouble(), r.auc(), 1e-12);
    }

    @Test
    void confusionMeasuresMatchScikitLearn() throws Exception {
        JsonNode f = fixture();
        int[] truth = new int[f.get("truth").size()];
        int[] pred = new int[truth.length];
        for (int i = 0; i < truth.length; i++) {
            truth[i] = f.get("truth").get(i).asInt();
            pred[i] = f.get("predicted").get(i).asInt();
        }
        ConfusionMatrix m = ConfusionMatrix.of(List.of("a", "b", "c", "d"), truth, pred);
        assertEquals(f.get("accuracy").asDouble(), m.accuracy(), 1e-12);
        assertEquals(f.get("macro_f1").asDouble(), m.macroF1(), 1e-12);
        for (int c = 0; c < 4; c++) {
            assertEquals(f.get("precision").get(c).asDouble(), m.precision(c), 1e-12, "precision " + c);
            assertEquals(f.get("recall").get(c).asDouble(), m.recall(c), 1e-12, "recall " + c);
        }
        double[][] p = m.rowNormalised();
        for (double[] row : p) {
            assertEquals(1.0, java.util.Arrays.stream(row).sum(), 1e-12);
        }
    }
}
