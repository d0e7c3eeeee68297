package org.geneformer4j.multitask;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.util.Csv;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two tasks learnt at once on synthetic cells, with labels missing for each task: the model learns both, the
 * unlabelled cells are in no task's figures but are predicted, and the run's outputs say so. Short cells and a small
 * model keep it to seconds.
 */
class MultiTaskRunTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    @TempDir
    Path tmp;

    /** Task "kind": which block of genes dominates (3 classes); task "mark": whether gene 6 or gene 7 is present. */
    static List<SelectedCell> cells(int n, long seed) {
        Random rng = new Random(seed);
        List<SelectedCell> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int kind = i % 3;
            boolean mark = rng.nextBoolean();
            int len = 8 + rng.nextInt(8);
            int[] t = new int[len];
            for (int j = 0; j < len; j++) {
                t[j] = rng.nextDouble() < 0.7 ? 8 + kind * 12 + rng.nextInt(12) : 8 + rng.nextInt(36);
            }
            for (int k = 0; k < 3; k++) {
                t[rng.nextInt(len)] = mark ? 6 : 7;
            }
            String k = i % 7 == 3 ? "" : "kind" + kind; // one cell in 7 without a kind
            String m = i % 4 == 1 ? "nan" : mark ? "marked" : "plain"; // one in 4 without a mark
            out.add(new SelectedCell(i, "c" + i, t, new String[] {k, m}));
        }
        return out;
    }

    @Test
    void bothTasksLearnAndMissingLabelsCountNowhere() throws Exception {
        MultiTaskCells data = MultiTaskCells.of(cells(240, 1), List.of("kind", "mark"), false, 0, 1, s -> {});
        Split split = Split.stratified(data.cells(), SplitSizes.DEFAULT, 42);
        var config = RandomInit.config(44, 32, 2, 4, 64, 32).withDropout(0);
        ClassifierRun.Base base = new ClassifierRun.Base(RandomInit.checkpoint(config, 3), "synthetic", CPU, ScalarType.Float, 0, 64);
        TrainSettings s = MultiTaskRun.settings(new TrainSettings(3e-3, 0.01, Schedule.LINEAR, 0, 0.05, 12, 16, 1, 1.0, 42, false, 0, 0, 0,
                "loss", true, 0.9, 0.999, 1e-8, 2), null, "loss");
        Path dir = tmp.resolve("run");
        ClassifierRun.Outcome o = MultiTaskRun.run(base, data, split, new MultiTaskRun.Spec(MultiTaskModel.Pooling.ATTENTION, 0.1,
                new double[] {1, 1}, false), s, dir, -1, m -> {});
        assertTrue(o.finished());
        assertTrue(o.test().get("kind.macro_f1") > 0.9, "kind is learnt: " + o.test());
        assertTrue(o.test().get("mark.macro_f1") > 0.9, "mark is learnt: " + o.test());

        JsonNode test = new ObjectMapper().readTree(dir.resolve("metrics.json").toFile()).get("test");
        int labelledKind = 0, labelledMark = 0;
        for (var c : split.test()) {
            labelledKind += data.labelsOf(c)[0] >= 0 ? 1 : 0;
            labelledMark += data.labelsOf(c)[1] >= 0 ? 1 : 0;
        }
        assertTrue(labelledMark < split.test().size() && labelledKind < split.test().size(), "the test set holds unlabelled cells");
        assertEquals(split.test().size(), test.get("examples").asInt());
        assertEquals(labelledKind, test.get("tasks").get("kind").get("examples").asInt(), "only labelled cells in a task's figures");
        assertEquals(labelledMark, test.get("tasks").get("mark").get("examples").asInt());

        Map<String, List<String>> pred = Csv.columns(dir.resolve("predictions.csv"));
        assertEquals(split.test().size(), pred.get("cell_id").size(), "every test cell predicted for every task");
        assertEquals(split.test().size() - labelledMark, pred.get("mark").stream().filter(String::isEmpty).count());
        assertTrue(pred.get("mark_predicted").stream().allMatch(v -> v.equals("marked") || v.equals("plain")));

        ClassifierRun.Outcome again = MultiTaskRun.run(base, data, split, new MultiTaskRun.Spec(MultiTaskModel.Pooling.ATTENTION, 0.1,
                new double[] {1, 1}, false), s, dir, -1, m -> {});
        assertEquals(o.test().get("kind.macro_f1"), again.test().get("kind.macro_f1"), 1e-12, "a complete run is read back, not trained again");
        assertEquals(o.valid().get("unweighted_loss"), again.valid().get("unweighted_loss"), 1e-12);
    }

    @Test
    void aStoppedRunResumesToTheWeightsOfAnUninterruptedOne() throws Exception {
        MultiTaskCells data = MultiTaskCells.of(cells(90, 2), List.of("kind", "mark"), false, 0, 1, s -> {});
        Split split = Split.stratified(data.cells(), SplitSizes.DEFAULT, 42);
        var config = RandomInit.config(44, 16, 2, 2, 32, 32); // dropout 0.02: the masks must repeat on resume
        ClassifierRun.Base base = new ClassifierRun.Base(RandomInit.checkpoint(config, 4), "synthetic", CPU, ScalarType.Float, 1, 64);
        TrainSettings s = MultiTaskRun.settings(new TrainSettings(3e-3, 0.1, Schedule.COSINE, 0, 0.1, 2, 8, 2, 1.0, 7, false, 0, 3, 0,
                "loss", true, 0.9, 0.999, 1e-8, 2), null, "loss");
        MultiTaskRun.Spec spec = new MultiTaskRun.Spec(MultiTaskModel.Pooling.ATTENTION, 0.3, new double[] {0.5, 2}, true);
        Path straight = tmp.resolve("straight"), sliced = tmp.resolve("sliced");
        assertTrue(MultiTaskRun.run(base, data, split, spec, s, straight, -1, m -> {}).finished());
        List<String> said = new ArrayList<>();
        assertTrue(!MultiTaskRun.run(base, data, split, spec, s, sliced, 4, said::add).finished());
        assertTrue(!MultiTaskRun.run(base, data, split, spec, s, sliced, 7, said::add).finished());
        assertTrue(MultiTaskRun.run(base, data, split, spec, s, sliced, -1, said::add).finished());
        assertEquals(2, said.stream().filter(l -> l.startsWith("resumed")).count(), said.toString());
        for (String f : List.of("model/model.safetensors", "backbone/model.safetensors", "predictions.csv")) {
            assertArrayEquals(java.nio.file.Files.readAllBytes(straight.resolve(f)), java.nio.file.Files.readAllBytes(sliced.resolve(f)),
                    f + ": stopped twice and resumed, the same as uninterrupted (heads, dropout, accumulation, frozen layer)");
        }
    }
}
