package org.geneformer4j.plot;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;

/** Average linkage and leaf order against scipy (fixtures/plot/linkage.json, make_plot_fixtures.py). */
class LinkageTest {
    @Test
    void averageLinkageMatchesScipy() throws Exception {
        JsonNode f = new ObjectMapper().readTree(TestData.resource("fixtures/plot/linkage.json").toFile());
        JsonNode pts = f.get("points");
        double[][] x = new double[pts.size()][];
        for (int i = 0; i < x.length; i++) {
            x[i] = new double[pts.get(i).size()];
            for (int j = 0; j < x[i].length; j++) {
                x[i][j] = pts.get(i).get(j).asDouble();
            }
        }
        Linkage l = Linkage.average(x);
        JsonNode z = f.get("Z");
        for (int s = 0; s < z.size(); s++) {
            assertEquals(z.get(s).get(0).asInt(), l.left()[s], "merge " + s + " left");
            assertEquals(z.get(s).get(1).asInt(), l.right()[s], "merge " + s + " right");
            assertEquals(z.get(s).get(2).asDouble(), l.height()[s], 1e-9, "merge " + s + " height");
        }
        int[] leaves = new int[f.get("leaves").size()];
        for (int i = 0; i < leaves.length; i++) {
            leaves[i] = f.get("leaves").get(i).asInt();
        }
        assertArrayEquals(leaves, l.leafOrder());
    }
}
