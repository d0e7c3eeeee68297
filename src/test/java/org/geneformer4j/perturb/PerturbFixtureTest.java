package org.geneformer4j.perturb;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.model.Head;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Gene-list overexpression with overflow, combos with an anchor, and goal-state shifts against
 * scripts/fixtures/make_isp_fixtures.py, which computes them with transformers position by position as upstream
 * slices its tensors: inputs identical, values within 1e-5.
 */
class PerturbFixtureTest {
    static final Path DIR = TestData.resource("fixtures/isp");

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void geneListOverexpressionTruncatesBothSidesWhenItOverflows(String v) throws Exception {
        boolean special = v.equals("v2");
        JsonNode r = json().get(v).get("overflow");
        int[] ids = TestData.ints(r.get("ids"));
        Perturbations.Overexpressed o = Perturbations.overexpressTokens(ids, TestData.ints(r.get("genes")), 40, special);
        assertArrayEquals(TestData.ints(r.get("perturbed")), o.perturbation().ids());
        assertEquals(r.get("n_overflow").asInt(), o.overflow());
        assertTrue(o.overflow() > 0, "the fixture overflows");
        int[] original = Perturbations.truncate(ids, o.overflow(), special);
        assertArrayEquals(TestData.ints(r.get("original")), original);
        try (BertModel m = model()) {
            assertEquals(r.get("gene_cos_mean").asDouble(), value(m, special, PerturbMode.CELL, Map.of(), ids, original, o.perturbation(), null), 1e-5);
            if (special) {
                assertEquals(r.get("cls_cos").asDouble(), value(m, true, PerturbMode.CLS, Map.of(), ids, original, o.perturbation(), null), 1e-5);
            }
            Map<String, float[]> states = states(json().get(v).get("states"));
            for (String s : states.keySet()) {
                assertEquals(r.get("shifts").get(s).asDouble(), value(m, special, PerturbMode.CLS, states, ids, original, o.perturbation(), s), 1e-5, s);
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1/delete", "v1/overexpress", "v2/delete", "v2/overexpress"})
    void combosPairEveryGeneWithTheAnchor(String which) throws Exception {
        String v = which.split("/")[0];
        PerturbType type = PerturbType.valueOf(which.split("/")[1].toUpperCase());
        boolean special = v.equals("v2");
        JsonNode c = json().get(v).get("combos");
        int[] ids = TestData.ints(c.get("ids"));
        int anchor = c.get("anchor").asInt();
        PerturbSettings s = new PerturbSettings(type, 0, new int[0], anchor, 1, special ? PerturbMode.CLS : PerturbMode.CELL, -1, Map.of(),
                0, 42, 0, -1, Map.of(), 100, 1 << 14, 100, false);
        List<Perturbation> ps = new PerturbRun(s, GeneVocabulary.builtin(special ? "gc104M" : "gc30M")).perturbations(ids);
        for (boolean packed : new boolean[] {false, true}) {
            Map<String, Double> got = new HashMap<>();
            try (BertModel m = model()) {
                new Perturber(org.geneformer4j.engine.Worker.around(m), -1, special, s.mode(), Map.of(), 300, 9, packed).run(ids, ps, r -> {
                    if (r.affected() < 0) {
                        got.put(java.util.Arrays.toString(r.perturbation().genes()), r.value());
                    }
                });
            }
            checkCombos(c.get(type.name().toLowerCase()), anchor, got);
        }
    }

    private static void checkCombos(JsonNode want, int anchor, Map<String, Double> got) {
        assertEquals(want.get("anchor").asDouble(), got.get("[" + anchor + "]"), 1e-5);
        assertEquals(1 + 2 * want.get("pair").size(), got.size(), "the anchor, then a single and a pair per other gene");
        want.get("pair").fields().forEachRemaining(e -> {
            assertEquals(e.getValue().asDouble(), got.get("[" + anchor + ", " + e.getKey() + "]"), 1e-5, "pair " + e.getKey());
            assertEquals(want.get("single").get(e.getKey()).asDouble(), got.get("[" + e.getKey() + "]"), 1e-5, "single " + e.getKey());
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void goalStateShiftsOfDeleteAll(String v) throws Exception {
        boolean special = v.equals("v2");
        JsonNode g = json().get(v).get("goal");
        int[] ids = TestData.ints(g.get("ids"));
        Map<String, float[]> states = states(json().get(v).get("states"));
        List<Perturbation> ps = new ArrayList<>();
        for (int p : Perturbations.allPositions(ids.length, PerturbType.DELETE, special)) {
            ps.add(Perturbations.delete(ids, new int[] {p}, special));
        }
        for (boolean packed : new boolean[] {false, true}) {
            Map<String, Double> got = new HashMap<>();
            try (BertModel m = model()) {
                new Perturber(org.geneformer4j.engine.Worker.around(m), -1, special, PerturbMode.CLS, states, 1 << 14, 5, packed).run(ids, ps,
                        r -> got.put(r.perturbation().genes()[0] + "/" + r.state(), r.value()));
            }
            checkShifts(g, states, got);
        }
    }

    private static void checkShifts(JsonNode g, Map<String, float[]> states, Map<String, Double> got) {
        int n = 0;
        for (var e : (Iterable<Map.Entry<String, JsonNode>>) () -> g.get("shifts").fields()) {
            for (String s : states.keySet()) {
                assertEquals(e.getValue().get(s).asDouble(), got.get(e.getKey() + "/" + s), 1e-5, e.getKey() + " " + s);
                n++;
            }
        }
        assertEquals(got.size(), n);
    }

    /** The value from a padded run, checked against a packed run's (original and perturbation in one batch). */
    private static double value(BertModel m, boolean special, PerturbMode mode, Map<String, float[]> states, int[] ids, int[] original,
            Perturbation p, String state) {
        double[] out = {Double.NaN, Double.NaN};
        for (int k = 0; k < 2; k++) {
            int slot = k;
            new Perturber(org.geneformer4j.engine.Worker.around(m), -1, special, mode, states, 1 << 14, 10, k == 1).run(ids, original, List.of(p), r -> {
                if (r.affected() < 0 && (state == null || state.equals(r.state()))) {
                    out[slot] = r.value();
                }
            });
        }
        assertEquals(out[0], out[1], 1e-5, "packed against padded");
        return out[0];
    }

    private static Map<String, float[]> states(JsonNode n) {
        Map<String, float[]> out = new LinkedHashMap<>();
        n.fields().forEachRemaining(e -> {
            float[] f = new float[e.getValue().size()];
            for (int i = 0; i < f.length; i++) {
                f[i] = (float) e.getValue().get(i).asDouble();
            }
            out.put(e.getKey(), f);
        });
        return out;
    }

    private static BertModel model() {
        return BertModel.load(Checkpoint.load(DIR.resolve("model")), Head.NONE, 0, PerturbGoldenTest.CPU, ScalarType.Float, 0).model();
    }

    private static JsonNode json() throws Exception {
        return new ObjectMapper().readTree(DIR.resolve("isp.json").toFile());
    }
}
