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
                "--shard-cells", "2", "--emb-mode", "cls_and_gene", "--format", "csv"};
        Cli r = Cli.run(args);
        assertEquals(0, r.exit(), r.err());
        List<String> part0 = Files.readAllLines(out.resolve("part-000000-000002.csv"));
        assertEquals("cell,perturbed,perturbed_symbol,affected,affected_symbol,state,value", part0.get(0));
        long cellRows = part0.stream().filter(l -> l.contains(",cell_emb,")).count();
        assertTrue(cellRows > 10, "one cell_emb row per deleted gene of the two cells: " + cellRows);
        for (String l : part0.subList(1, part0.size())) {
            double v = Double.parseDouble(l.substring(l.lastIndexOf(',') + 1));
            assertTrue(v >= -1.0001 && v <= 1.0001, "a cosine: " + l);
        }
        List<String> part2 = Files.readAllLines(out.resolve("part-000004-000005.csv"));
        Files.delete(out.resolve("part-000004-000005.csv"));
        Cli again = Cli.run(args);
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.err().contains("1 shards written, 2 already there"), again.err());
        assertEquals(part2, Files.readAllLines(out.resolve("part-000004-000005.csv")));
    }

    @Test
    void aFinishedRunIsNotResumedWithAnotherInputOrModel() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        Path other = tmp.resolve("short.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", other.toString(), "--input-size", "50").exit());
        Path model = tmp.resolve("model");
        Files.createDirectories(model);
        for (String f : List.of("config.json", "model.safetensors")) {
            Files.copy(TestData.resource("fixtures/model/tiny_v2/" + f), model.resolve(f));
        }
        Path out = tmp.resolve("isp");
        String[] common = {"perturb", "--model", model.toString(), "-o", out.toString(), "--max-ncells", "3", "--shard-cells", "2", "--format", "csv"};
        assertEquals(0, Cli.run(concat(common, "-i", ds.toString())).exit());
        List<String> before = Files.readAllLines(out.resolve("part-000000-000002.csv"));
        Cli input = Cli.run(concat(common, "-i", other.toString()));
        assertEquals(1, input.exit(), input.err());
        assertEquals(1, input.errorLines(), input.err());
        assertTrue(input.err().contains("another input"), input.err());
        // one weight of the last tensor changed: the same path, another model
        byte[] w = Files.readAllBytes(model.resolve("model.safetensors"));
        w[w.length - 1] ^= 0x10;
        Files.write(model.resolve("model.safetensors"), w);
        Cli weights = Cli.run(concat(common, "-i", ds.toString()));
        assertEquals(1, weights.exit(), weights.err());
        assertTrue(weights.err().contains("another model"), weights.err());
        assertEquals(before, Files.readAllLines(out.resolve("part-000000-000002.csv")), "the finished results are kept");
    }

    @Test
    void dataTokenizedForTheOtherModelVersionIsRefusedAndLeavesNothing() {
        Path v1 = tmp.resolve("v1.dataset");
        Path v2 = tmp.resolve("v2.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", v1.toString(), "--model-version", "V1").exit());
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", v2.toString()).exit());
        Path a = tmp.resolve("a");
        Cli v1IntoV2 = Cli.run("perturb", "--model", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", v1.toString(),
                "-o", a.toString(), "--max-ncells", "3");
        assertEquals(1, v1IntoV2.exit(), v1IntoV2.err());
        assertEquals(1, v1IntoV2.errorLines(), v1IntoV2.err());
        assertTrue(v1IntoV2.err().contains("V1 data into a V2 model") || v1IntoV2.err().contains("V1 settings"), v1IntoV2.err());
        assertTrue(!Files.exists(a), "no output directory, no run.json");
        Path b = tmp.resolve("b");
        Cli v2IntoV1 = Cli.run("perturb", "--model", TestData.resource("fixtures/model/tiny_v1").toString(), "-i", v2.toString(),
                "-o", b.toString(), "--max-ncells", "3");
        assertEquals(1, v2IntoV1.exit(), v2IntoV1.err());
        assertEquals(1, v2IntoV1.errorLines(), v2IntoV1.err());
        assertTrue(v2IntoV1.err().contains("V1 model") || v2IntoV1.err().contains("V2 data into a V1 model"), v2IntoV1.err());
        assertTrue(!Files.exists(b), "no output directory, no run.json");
        // one selection path: embed and perturb refuse the same data with the same line
        Cli embedV1IntoV2 = Cli.run("embed", "--model", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", v1.toString(),
                "-o", tmp.resolve("e.csv").toString(), "--max-ncells", "3");
        assertEquals(errorLine(v1IntoV2), errorLine(embedV1IntoV2));
        Cli embedV2IntoV1 = Cli.run("embed", "--model", TestData.resource("fixtures/model/tiny_v1").toString(), "-i", v2.toString(),
                "-o", tmp.resolve("f.csv").toString(), "--max-ncells", "3");
        assertEquals(errorLine(v2IntoV1), errorLine(embedV2IntoV1));
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

    @Test
    void cellRangesFromSeveralProcessesFillOneDirectoryAsOneRunWould() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Path whole = tmp.resolve("whole");
        Path split = tmp.resolve("split");
        String[] common = {"perturb", "--model", model, "-i", ds.toString(), "--max-ncells", "5", "--shard-cells", "2"};
        assertEquals(0, Cli.run(concat(common, "-o", whole.toString())).exit());
        assertEquals(0, Cli.run(concat(common, "-o", split.toString(), "--cell-range", "3:5")).exit());
        assertEquals(0, Cli.run(concat(common, "-o", split.toString(), "--cell-range", "0:3")).exit());
        assertEquals(rows(whole), rows(split));
        assertTrue(Files.exists(split.resolve("part-000003-000005.arrow")), "Arrow shards by default");
        Path csv = tmp.resolve("csv");
        assertEquals(0, Cli.run(concat(common, "-o", csv.toString(), "--format", "csv")).exit());
        assertEquals(rows(whole), rows(csv), "the same rows in either format");
        Path workers = tmp.resolve("workers");
        Cli two = Cli.run(concat(common, "-o", workers.toString(), "--devices", "cpu,cpu"));
        assertEquals(0, two.exit(), two.err());
        assertTrue(two.err().contains("2 workers"), two.err());
        assertEquals(rows(whole), rows(workers), "two workers, one per device, write what one does");
        Cli other = Cli.run(concat(common, "-o", split.toString(), "--perturb-type", "overexpress"));
        assertEquals(1, other.exit());
        assertTrue(other.err().contains("other settings"), other.err());

        Path table = tmp.resolve("mixture.csv");
        Cli stats = Cli.run("stats", "-i", whole.toString(), "-o", table.toString(), "--mode", "mixture_model");
        assertEquals(0, stats.exit(), stats.err());
        List<String> lines = Files.readAllLines(table);
        assertEquals("Gene,Gene_name,Ensembl_ID,Test_avg_shift,Impact_component,Impact_component_percent,N_Detections", lines.get(0));
        assertTrue(lines.size() > 20, "one row per perturbed gene: " + lines.size());
        Path fromCsv = tmp.resolve("mixture_csv.csv");
        assertEquals(0, Cli.run("stats", "-i", csv.toString(), "-o", fromCsv.toString(), "--mode", "mixture_model").exit());
        assertEquals(lines, Files.readAllLines(fromCsv), "stats read Arrow and CSV shards alike");
        Cli goal = Cli.run("stats", "-i", whole.toString(), "-o", tmp.resolve("g.csv").toString(), "--mode", "goal_state_shift");
        assertEquals(1, goal.exit());
        assertEquals(1, goal.errorLines());
        assertTrue(goal.err().contains("--cell-states"), goal.err());
        Cli none = Cli.run("stats", "-i", tmp.resolve("nothing").toString(), "-o", tmp.resolve("n.csv").toString());
        assertEquals(1, none.exit());
        assertTrue(none.err().contains("run.json"), none.err());
    }

    @Test
    void combosRunTheAnchorEachGeneAndEveryPairAndStatsSetPairsAgainstTheirParts() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        Path out = tmp.resolve("combos");
        String anchor = "ENSG00000087086"; // FTL: in 698 of the 700 example cells
        Cli r = Cli.run("perturb", "--model", model, "-i", ds.toString(), "-o", out.toString(), "--max-ncells", "3",
                "--combos", "1", "--anchor-gene", anchor);
        assertEquals(0, r.exit(), r.err());
        List<String> all = rows(out);
        long pairs = all.stream().filter(l -> l.contains("," + anchor + ";")).count();
        long singles = all.stream().filter(l -> !l.contains(";") && !l.contains("," + anchor + ",")).count();
        long anchorAlone = all.stream().filter(l -> l.contains("," + anchor + ",")).count();
        long cells = all.stream().map(l -> l.substring(0, l.indexOf(','))).distinct().count();
        assertEquals(3, cells);
        assertEquals(cells, anchorAlone, "the anchor alone, once per cell");
        assertEquals(pairs, singles, "one single per pair");
        Path table = tmp.resolve("combos.csv");
        Cli stats = Cli.run("stats", "-i", out.toString(), "-o", table.toString(), "--mode", "mixture_model");
        assertEquals(0, stats.exit(), stats.err());
        assertTrue(Files.readAllLines(table).get(0).contains("Anchor_shift,Test_token_shift,Sum_of_indiv_shifts,Combo_shift,Combo_minus_sum_shift"));
        Cli noAnchor = Cli.run("perturb", "--model", model, "-i", ds.toString(), "-o", tmp.resolve("x").toString(), "--combos", "1");
        assertEquals(1, noAnchor.exit());
        assertTrue(noAnchor.err().contains("--anchor-gene"), noAnchor.err());
    }

    /**
     * --packed runs each cell's original and perturbations as packed batches: the same rows as the padded run, values
     * within 1e-5, for versions of one length (delete all, per gene) and of several (combos), with a token cap small
     * enough that a cell takes several batches and the original shares the first.
     */
    @Test
    void packedPerturbationWritesThePaddedRunsValues() throws Exception {
        Path ds = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString()).exit());
        String model = TestData.resource("fixtures/model/tiny_v2").toString();
        String[][] runs = {
            {"--emb-mode", "cls_and_gene", "--max-tokens", "3000"},
            {"--combos", "1", "--anchor-gene", "ENSG00000087086", "--emb-mode", "cell", "--max-tokens", "5000", "--batch-size", "30"}};
        for (String[] settings : runs) {
            String name = String.valueOf(java.util.Arrays.hashCode(settings));
            String[] common = concat(new String[] {"perturb", "--model", model, "-i", ds.toString(), "--max-ncells", "3", "--format", "csv"}, settings);
            Path padded = tmp.resolve("padded" + name);
            Path packed = tmp.resolve("packed" + name);
            Cli a = Cli.run(concat(common, "-o", padded.toString()));
            assertEquals(0, a.exit(), a.err());
            Cli b = Cli.run(concat(common, "-o", packed.toString(), "--packed", "--verbose"));
            assertEquals(0, b.exit(), b.err());
            assertTrue(b.err().contains("packed attention PER_CELL"), b.err());
            List<String> want = rows(padded);
            List<String> got = rows(packed);
            assertEquals(want.size(), got.size(), String.join(" ", settings));
            assertTrue(want.size() > 100, "rows: " + want.size());
            double worst = 0;
            for (int i = 0; i < want.size(); i++) {
                String w = want.get(i);
                String g = got.get(i);
                assertEquals(w.substring(0, w.lastIndexOf(',')), g.substring(0, g.lastIndexOf(',')), "row " + i);
                worst = Math.max(worst, Math.abs(Double.parseDouble(w.substring(w.lastIndexOf(',') + 1))
                        - Double.parseDouble(g.substring(g.lastIndexOf(',') + 1))));
            }
            assertTrue(worst <= 1e-5, String.join(" ", settings) + ": max |packed - padded| " + worst);
            System.out.println("perturb --packed " + String.join(" ", settings) + ": " + want.size() + " rows, max |diff| " + worst);
        }
    }

    /** Every data row of a run directory as CSV lines, sorted: what the run says, whatever shards it was written in. */
    static List<String> rows(Path dir) throws Exception {
        List<String> out = new java.util.ArrayList<>();
        try (var s = Files.list(dir)) {
            for (Path p : s.filter(f -> f.getFileName().toString().startsWith("part-")).toList()) {
                if (p.toString().endsWith(".csv")) {
                    List<String> l = Files.readAllLines(p);
                    out.addAll(l.subList(1, l.size()));
                    continue;
                }
                try (var r = org.geneformer4j.dataset.Datasets.open(p)) {
                    while (r.hasNext()) {
                        var b = r.next();
                        for (int i = 0; i < b.rows(); i++) {
                            StringBuilder line = new StringBuilder();
                            for (int c = 0; c < 6; c++) {
                                line.append(org.geneformer4j.util.Csv.quote(((String[]) b.columns()[c])[i])).append(',');
                            }
                            out.add(line.append(((float[]) b.columns()[6])[i]).toString());
                        }
                    }
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static String errorLine(Cli r) {
        return r.err().lines().filter(l -> l.startsWith("error:")).findFirst().orElse("(no error line) " + r.err());
    }
}
