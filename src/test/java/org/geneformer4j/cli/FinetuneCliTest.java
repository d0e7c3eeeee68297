package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** geneformer finetune cell|gene, predict and tune on the example PBMCs with the tiny V2 model. */
class FinetuneCliTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String THREE = "cell_type=Dendritic,CD14+ Monocyte,CD19+ B";

    @TempDir
    static Path shared;

    @TempDir
    Path tmp;

    static Path ds;
    static String model;

    @BeforeAll
    static void tokenize() {
        ds = shared.resolve("pbmc.dataset");
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString(), "--attr", "bulk_labels=cell_type",
                "--attr", "phase");
        assertEquals(0, r.exit(), r.err());
        model = TestData.resource("fixtures/model/tiny_v2").toString();
    }

    static String[] args(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("finetune", "cell", "-m", model, "-i", ds.toString(), "--label", "cell_type",
                "--filter", THREE, "--learning-rate", "2e-3", "--threads", "2", "-o", out.toString()));
        a.addAll(List.of(extra));
        return a.toArray(new String[0]);
    }

    static Map<String, String> column(String key, String col) {
        Map<String, String> m = new HashMap<>();
        try (DatasetReader r = Datasets.open(ds)) {
            TokenColumns c = TokenColumns.of(r, List.of());
            int k = r.columnIndex(key), v = r.columnIndex(col);
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    m.put(TokenColumns.string(b, k, i), TokenColumns.string(b, v, i));
                }
            }
        }
        return m;
    }

    @Test
    void finetuneCellKeepsATransformersModelMetricsAndPredictionsThatPredictReproduces() throws Exception {
        Path out = tmp.resolve("run");
        Cli r = Cli.run(args(out, "--epochs", "3", "--batch-size", "4"));
        assertEquals(0, r.exit(), r.err());
        JsonNode config = JSON.readTree(out.resolve("model/config.json").toFile());
        assertEquals("BertForSequenceClassification", config.get("architectures").get(0).asText());
        assertEquals("CD14+ Monocyte", config.get("id2label").get("0").asText(), "classes numbered in sorted order");
        assertEquals("CD19+ B", config.get("id2label").get("1").asText());
        assertEquals(2, config.get("label2id").get("Dendritic").asInt());
        JsonNode metrics = JSON.readTree(out.resolve("metrics.json").toFile());
        Map<String, List<String>> splits = Csv.columns(out.resolve("splits.csv"));
        long nTest = splits.get("split").stream().filter("test"::equals).count();
        assertEquals(nTest, metrics.get("test").get("examples").asLong());
        assertEquals(464, splits.get("cell_id").size());
        assertEquals(464, new HashSet<>(splits.get("cell_id")).size(), "no cell in two sets");
        // always predicting the commonest class gives macro F1 0.23 here
        assertTrue(metrics.get("test").get("macro_f1").asDouble() > 0.5, "the tiny model learns the three types: " + metrics.get("test"));
        Map<String, List<String>> pred = Csv.columns(out.resolve("predictions.csv"));
        assertEquals(List.of("cell_id", "label", "predicted", "prob_CD14+ Monocyte", "prob_CD19+ B", "prob_Dendritic"), List.copyOf(pred.keySet()));
        assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("eval_macro_f1"));
        assertEquals(List.of(), checkpoints(out), "a finished run drops its resumable state");
        assertTrue(Files.size(out.resolve("training_curves.png")) > 10_000);
        Cli curves = Cli.run("plot", "curves", "-i", out.resolve("metrics.jsonl").toString(), "-o", tmp.resolve("curves.svg").toString());
        assertEquals(0, curves.exit(), curves.err());
        assertTrue(Files.readString(tmp.resolve("curves.svg")).contains("macro F1"));

        Path p = tmp.resolve("pred.csv");
        Cli pr = Cli.run("predict", "-m", out.resolve("model").toString(), "-i", ds.toString(), "--filter", THREE, "--label", "cell_type",
                "-o", p.toString());
        assertEquals(0, pr.exit(), pr.err());
        Map<String, List<String>> all = Csv.columns(p);
        assertEquals(464, all.get("cell_id").size());
        Map<String, Integer> row = new HashMap<>();
        for (int i = 0; i < all.get("cell_id").size(); i++) {
            row.put(all.get("cell_id").get(i), i);
        }
        for (int i = 0; i < pred.get("cell_id").size(); i++) {
            int j = row.get(pred.get("cell_id").get(i));
            for (String col : List.of("label", "predicted")) {
                assertEquals(pred.get(col).get(i), all.get(col).get(j), col + " of " + pred.get("cell_id").get(i));
            }
            // other batches pad differently: the same probabilities up to float rounding
            for (String col : List.of("prob_CD14+ Monocyte", "prob_CD19+ B", "prob_Dendritic")) {
                assertEquals(Double.parseDouble(pred.get(col).get(i)), Double.parseDouble(all.get(col).get(j)), 2e-6, col);
            }
        }
        Cli plot = Cli.run("plot", "confusion", "-i", p.toString(), "-o", tmp.resolve("cm.png").toString());
        assertEquals(0, plot.exit(), plot.err());

        Cli again = Cli.run(args(out, "--epochs", "3", "--batch-size", "4"));
        assertEquals(1, again.exit());
        assertTrue(again.err().contains("already holds a finished run"), again.err());
    }

    @Test
    void splitByADonorColumnKeepsEachValueInOneSetAndCrossValidationCoversEveryCell() throws Exception {
        Path out = tmp.resolve("byphase");
        Cli r = Cli.run(args(out, "--epochs", "0.2", "--split-by", "phase", "--split", "train=0.4,valid=0.3,test=0.3"));
        assertEquals(0, r.exit(), r.err());
        Map<String, String> phase = column("cell_id", "phase");
        Map<String, List<String>> s = Csv.columns(out.resolve("splits.csv"));
        Map<String, Set<String>> setsOfPhase = new HashMap<>();
        for (int i = 0; i < s.get("cell_id").size(); i++) {
            setsOfPhase.computeIfAbsent(phase.get(s.get("cell_id").get(i)), k -> new HashSet<>()).add(s.get("split").get(i));
        }
        assertEquals(3, setsOfPhase.size());
        setsOfPhase.forEach((ph, sets) -> assertEquals(1, sets.size(), ph + " is in " + sets));

        Path cv = tmp.resolve("cv");
        Cli c = Cli.run(args(cv, "--epochs", "0.2", "--cv", "3"));
        assertEquals(0, c.exit(), c.err());
        Set<String> tested = new HashSet<>();
        int total = 0;
        for (int f = 1; f <= 3; f++) {
            Map<String, List<String>> fs = Csv.columns(cv.resolve("fold-" + f + "/splits.csv"));
            for (int i = 0; i < fs.get("cell_id").size(); i++) {
                if (!fs.get("split").get(i).equals("train")) {
                    assertTrue(tested.add(fs.get("cell_id").get(i)), "held out twice: " + fs.get("cell_id").get(i));
                    total++;
                }
            }
        }
        assertEquals(464, total, "each cell is held out by exactly one fold");
        assertTrue(JSON.readTree(cv.resolve("cv_metrics.json").toFile()).get("mean_test").has("macro_f1"));
    }

    @Test
    void aKilledRunResumesToTheWeightsOfAnUninterruptedOne() throws Exception {
        Path straight = tmp.resolve("straight");
        Path killed = tmp.resolve("killed");
        String[] extra = {"--epochs", "2", "--batch-size", "8", "--save-steps", "1", "--max-ncells", "240"};
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp", cp, Main.class.getName()));
        cmd.addAll(List.of(args(killed, extra)));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(tmp.resolve("log.txt").toFile()).start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        long step = 0;
        while (p.isAlive() && System.nanoTime() < deadline && step < 5) {
            Thread.sleep(2);
            // the newest published checkpoint-STEP/ (its name is published with it, whole)
            step = checkpoints(killed).stream().mapToLong(n -> Long.parseLong(n.substring("checkpoint-".length()))).max().orElse(0);
        }
        assertTrue(p.isAlive(), "the run must still be going when killed: " + Files.readString(tmp.resolve("log.txt")));
        p.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        assertFalse(Files.exists(killed.resolve("metrics.json")));

        Cli resumed = Cli.run(args(killed, extra));
        assertEquals(0, resumed.exit(), resumed.err());
        assertTrue(resumed.err().contains("resumed"), resumed.err());
        Cli whole = Cli.run(args(straight, extra));
        assertEquals(0, whole.exit(), whole.err());
        assertArrayEquals(Files.readAllBytes(straight.resolve("model/model.safetensors")), Files.readAllBytes(killed.resolve("model/model.safetensors")),
                "killed at step " + step + " and resumed: the same final weights");
        assertEquals(Files.readString(straight.resolve("predictions.csv")), Files.readString(killed.resolve("predictions.csv")));
        try (var s = Files.list(killed)) {
            assertEquals(List.of(), s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".checkpoint-")).toList(),
                    "no staging or lock of a checkpoint is left");
        }
    }

    /**
     * A gene-classes table of the dataset's 20 most frequent genes (V2 vocabulary), alternately "even" and "odd": classes
     * every cell has genes of, for the gene classifier's tests.
     */
    static StringBuilder topGeneClasses(Path dataset) {
        Map<Integer, Integer> counts = new HashMap<>();
        try (DatasetReader r = Datasets.open(dataset)) {
            TokenColumns c = TokenColumns.of(r, List.of());
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    for (int t : c.tokens(b, i)) {
                        counts.merge(t, 1, Integer::sum);
                    }
                }
            }
        }
        var vocab = org.geneformer4j.vocab.GeneVocabulary.builtin("gc104M");
        List<Integer> common = counts.entrySet().stream().filter(e -> e.getKey() > 3)
                .sorted(Map.Entry.<Integer, Integer>comparingByValue().reversed()).limit(20).map(Map.Entry::getKey).toList();
        StringBuilder tsv = new StringBuilder("gene\tclass\n");
        for (int i = 0; i < common.size(); i++) {
            tsv.append(vocab.tokenName(common.get(i))).append('\t').append(i % 2 == 0 ? "even" : "odd").append('\n');
        }
        return tsv;
    }

    @Test
    void finetuneGeneClassifiesHeldOutGenes() throws Exception {
        StringBuilder tsv = topGeneClasses(ds);
        tsv.append("ENSG99999999999\todd\n");
        Path classes = tmp.resolve("genes.tsv");
        Files.writeString(classes, tsv);
        Path out = tmp.resolve("gene");
        Cli r = Cli.run("finetune", "gene", "-m", model, "-i", ds.toString(), "--gene-classes", classes.toString(), "--cv", "2",
                "--folds-to-run", "1", "--max-ncells", "100", "--epochs", "1", "--learning-rate", "1e-3", "--threads", "2", "-o", out.toString());
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("1 gene(s) of genes.tsv are not in the vocabulary"), r.err());
        JsonNode config = JSON.readTree(out.resolve("fold-1/model/config.json").toFile());
        assertEquals("BertForTokenClassification", config.get("architectures").get(0).asText());
        Map<String, List<String>> pred = Csv.columns(out.resolve("fold-1/predictions.csv"));
        assertEquals(List.of("cell_id", "ensembl_id", "label", "predicted", "prob_even", "prob_odd"), List.copyOf(pred.keySet()));
        // the test genes are the held-out ones: none of them labelled in training
        Set<String> testGenes = new HashSet<>(pred.get("ensembl_id"));
        assertTrue(testGenes.size() >= 2 && testGenes.size() <= 6, "half of a held-out fold of 20 genes: " + testGenes);
        assertTrue(Files.exists(out.resolve("cv_metrics.json")));
    }

    @Test
    void badInputGetsOneErrorLine() throws Exception {
        Path out = tmp.resolve("bad");
        expectError(Cli.run("finetune", "cell", "-m", model, "-i", ds.toString(), "--label", "celltype", "-o", out.toString()),
                "--label column 'celltype' is not in the dataset");
        expectError(Cli.run("finetune", "cell", "-m", model, "-i", ds.toString(), "--label", "cell_type", "--filter", "cell_type=Dendritic",
                "-o", out.toString()), "has 1 class (Dendritic)");
        expectError(Cli.run(args(out, "--max-ncells-per-class", "2")), "too few for a 3-way split");
        Path noGenes = tmp.resolve("none.json");
        Files.writeString(noGenes, "{\"a\": [\"ENSG99999999999\", \"NOTAGENE\"], \"b\": [\"CD3E\"]}");
        expectError(Cli.run("finetune", "gene", "-m", model, "-i", ds.toString(), "--gene-classes", noGenes.toString(), "-o", out.toString()),
                "no gene of class 'a' is in the gc104M vocabulary");
        expectError(Cli.run("finetune", "cell", "-m", TestData.resource("fixtures/model/tiny_v1").toString(), "-i", ds.toString(),
                "--label", "cell_type", "-o", out.toString()), "V1");
        expectError(Cli.run("predict", "-m", TestData.resource("fixtures/classifier/cell").toString(), "-i", ds.toString(),
                "-o", tmp.resolve("p.csv").toString()), "tokenized for another model");
        expectError(Cli.run("predict", "-m", model, "-i", ds.toString(), "-o", tmp.resolve("p.csv").toString()),
                "not a fine-tuned classifier");
        expectError(Cli.run(args(out, "--split", "train=0.9,valid=0.2")), "must sum to 1");
        expectError(Cli.run("finetune", "gene", "-m", model, "-i", ds.toString(), "--gene-classes", noGenes.toString(), "--cv", "1",
                "-o", out.toString()), "--cv needs at least 2 folds");
        expectError(Cli.run("tune", "-m", model, "-i", ds.toString(), "--label", "cell_type", "--trials", "0", "-o", out.toString()),
                "--trials must be at least 1");
        expectError(Cli.run("models", "init", tmp.resolve("m").toString(), "--model-version", "V3"), "--model-version must be V1 or V2");
        expectError(Cli.run("plot", "curves", "-i", tmp.resolve("none.jsonl").toString(), "-o", tmp.resolve("c.png").toString()),
                "does not exist");
        assertFalse(Files.exists(out), "failed runs leave no output directory");
    }

    /** The checkpoint-STEP directories of a run. */
    static List<String> checkpoints(Path run) throws java.io.IOException {
        if (!Files.isDirectory(run)) {
            return List.of();
        }
        try (var s = Files.list(run)) {
            return s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList();
        }
    }

    /** A study is one process; as the tasks of a Slurm job, every task would run it into the same directory. */
    @Test
    void tuneRefusesToRunAsTheTasksOfAJob(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("study");
        Cli r = Cli.inChildJvm(Map.of("SLURM_NTASKS", "2", "SLURM_PROCID", "1", "SLURM_LOCALID", "1", "SLURM_NODELIST", "localhost"),
                "tune", "-m", "Geneformer-V1-10M", "-i", dir.resolve("cells.dataset").toString(), "--label", "cell_type", "-o", out.toString());
        expectError(r, "start it once, not as the 2 tasks of a torchrun or Slurm job");
        assertFalse(Files.exists(out));
    }

    static void expectError(Cli r, String part) {
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains(part), "expected '" + part + "' in: " + r.err());
    }

    @Test
    void tuneRunsTrialsKeepsTheBestAndResumesAStudy() throws Exception {
        Path space = tmp.resolve("space.json");
        Files.writeString(space, "{\"num_train_epochs\": 0.3, \"warmup_steps\": {\"type\": \"int\", \"low\": 0, \"high\": 5},"
                + " \"learning_rate\": {\"type\": \"loguniform\", \"low\": 1e-4, \"high\": 3e-3}, \"per_device_train_batch_size\": [16]}");
        Path out = tmp.resolve("study");
        String[] base = {"tune", "-m", model, "-i", ds.toString(), "--label", "cell_type", "--filter", THREE, "--space", space.toString(),
                "--sampler", "random", "--threads", "2", "-o", out.toString(), "--trials"};
        Cli first = Cli.run(concat(base, "2"));
        assertEquals(0, first.exit(), first.err());
        String params1 = Files.readString(out.resolve("trial-001/params.json"));
        Cli second = Cli.run(concat(base, "3"));
        assertEquals(0, second.exit(), second.err());
        assertTrue(second.err().contains("(2 finished)"), second.err());
        assertFalse(second.err().contains("trial 1:"), "finished trials are not run again: " + second.err());
        assertEquals(params1, Files.readString(out.resolve("trial-001/params.json")));
        List<String> report = Files.readAllLines(out.resolve("report.csv"));
        assertEquals(4, report.size(), String.join("\n", report));
        assertTrue(report.get(0).startsWith("trial,learning_rate,"));
        String bestTrial = report.get(1).split(",")[0];
        assertArrayEquals(Files.readAllBytes(out.resolve(String.format("trial-%03d/model/model.safetensors", Integer.parseInt(bestTrial)))),
                Files.readAllBytes(out.resolve("best_model/model.safetensors")));
        assertEquals(3, Files.readAllLines(out.resolve("trials.jsonl")).size());

        // one trial per device at a time: two workers share the trials and the study still finishes them all
        Path two = tmp.resolve("two");
        String[] both = concat(base, "4", "--devices", "cpu,cpu");
        both[java.util.Arrays.asList(both).indexOf(out.toString())] = two.toString();
        Cli parallel = Cli.run(both);
        assertEquals(0, parallel.exit(), parallel.err());
        assertEquals(4, Files.readAllLines(two.resolve("trials.jsonl")).size());
        assertEquals(5, Files.readAllLines(two.resolve("report.csv")).size());
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
