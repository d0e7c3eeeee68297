package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PerturbCliTest {
    @TempDir
    Path tmp;

    @Test
    void deleteAllWritesShardsAndResumesAfterALostShard() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        Path out = tmp.resolve("isp");
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        String[] args = {"perturb", "--model", model, "-i", ds.toString(), "-o", out.toString(), "--max-ncells", "5",
                "--shard-cells", "2", "--emb-mode", "cls_and_gene"};
        Cli r = Cli.run(args);
        assertEquals(0, r.exit(), r.err());
        List<String> part0 = Files.readAllLines(out.resolve("part-00000.csv"));
        assertEquals("cell,perturbed,perturbed_symbol,affected,affected_symbol,state,value", part0.get(0));
        long cellRows = part0.stream().filter(l -> l.contains(",cell_emb,")).count();
        assertTrue(cellRows > 10, "one cell_emb row per deleted gene of the two cells: " + cellRows);
        for (String l : part0.subList(1, part0.size())) {
            double v = Double.parseDouble(l.substring(l.lastIndexOf(',') + 1));
            assertTrue(v >= -1.0001 && v <= 1.0001, "a cosine: " + l);
        }
        List<String> part2 = Files.readAllLines(out.resolve("part-00002.csv"));
        Files.delete(out.resolve("part-00002.csv"));
        Cli again = Cli.run(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("1 shards written, 2 already there"), again.err());
        assertEquals(part2, Files.readAllLines(out.resolve("part-00002.csv")));
    }

    @Test
    void unknownGeneAndMissingStatesAreOneErrorLine() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Cli gene = Cli.run("perturb", "--model", model, "-i", ds.toString(), "-o", tmp.resolve("a").toString(), "--genes", "NOTAGENE");
        assertEquals(1, gene.exit());
        assertEquals(1, gene.errorLines());
        assertTrue(gene.err().contains("NOTAGENE"), gene.err());
        Cli states = Cli.run("perturb", "--model", model, "-i", ds.toString(), "-o", tmp.resolve("b").toString(),
                "--cell-states", "state_key=cell_type,start_state=A,goal_state=B");
        assertEquals(1, states.exit());
        assertTrue(states.err().contains("--state-embs"), states.err());
        Cli raw = Cli.run("perturb", "--model", model, "-i", TestData.example().toString(), "-o", tmp.resolve("c").toString());
        assertEquals(1, raw.exit());
        assertTrue(raw.err().contains("tokenize"), raw.err());
    }
}
