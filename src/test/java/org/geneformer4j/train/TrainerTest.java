package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.io.IOException;
import java.util.stream.Stream;
import org.geneformer4j.util.OutputLock;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.CellTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainerTest {
    @TempDir
    Path tmp;

    static final BertConfig CONFIG = RandomInit.config(SyntheticCells.VOCAB, 32, 2, 4, 64, 32);

    static BertModel fresh(List<String> classes) {
        return BertModel.load(RandomInit.checkpoint(CONFIG, 7), Head.SEQUENCE_CLASSIFICATION, classes,
                new Device("cpu"), torch.ScalarType.Float, 11).model();
    }

    static TrainSettings settings(double epochs) {
        return new TrainSettings(3e-3, 0.01, Schedule.LINEAR, 4, 0, epochs, 16, 1, 1.0, 5, true, 0, 0, 2,
                "macro_f1", true, 0.9, 0.999, 1e-8, 2);
    }

    @Test
    void learnsASeparableTaskAndKeepsTheBestModel() {
        List<LabeledCell> cells = SyntheticCells.make(300, 3, 1);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        Split split = Split.stratified(p.cells(), SplitSizes.DEFAULT, 42);
        try (BertModel m = fresh(p.classes())) {
            double before = CellTask.metrics(m, split.test(), p, 32).summary().get("loss");
            Trainer.Result r = new Trainer(settings(6), tmp, 0, "synthetic", Progress.silent())
                    .train(m, new CellTask(split.train(), split.valid(), p, 32));
            assertTrue(r.finished());
            Map<String, Double> test = CellTask.metrics(m, split.test(), p, 32).summary();
            assertTrue(test.get("accuracy") > 0.95, "test accuracy " + test);
            assertTrue(test.get("loss") < before / 3, "loss " + before + " -> " + test.get("loss"));
            List<ObjectNode> log = MetricsLog.read(tmp.resolve("metrics.jsonl"));
            double first = log.stream().filter(l -> l.has("loss")).findFirst().orElseThrow().get("loss").asDouble();
            double last = log.stream().filter(l -> l.has("loss")).reduce((a, b) -> b).orElseThrow().get("loss").asDouble();
            assertTrue(last < first / 3, "training loss " + first + " -> " + last);
            assertEquals(6, log.stream().filter(l -> l.has("eval_macro_f1")).count(), "one evaluation per epoch");
            // the model at the end is the best evaluated one, saved in best/
            double bestF1 = log.stream().filter(l -> l.has("eval_macro_f1")).mapToDouble(l -> l.get("eval_macro_f1").asDouble()).max().orElseThrow();
            assertEquals(bestF1, r.bestEval().get("macro_f1"), 0);
            assertEquals(bestF1, CellTask.metrics(m, split.valid(), p, 32).summary().get("macro_f1"), 1e-12);
            assertTrue(Files.isRegularFile(tmp.resolve("best/model.safetensors")));
        }
    }

    @Test
    void aStoppedRunResumesToTheSameWeightsAsAnUninterruptedOne() throws Exception {
        List<LabeledCell> cells = SyntheticCells.make(120, 2, 3);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        Split split = Split.stratified(p.cells(), SplitSizes.DEFAULT, 42);
        // 96 training cells, batch 16, accumulation 2: 3 steps per epoch; the stop falls mid-epoch, after an evaluation;
        // a checkpoint after every step, the two newest kept
        TrainSettings s = new TrainSettings(3e-3, 0.01, Schedule.COSINE, 2, 0, 3, 16, 2, 0.5, 9, true, 2, 1, 1,
                "macro_f1", true, 0.9, 0.999, 1e-8, 2);
        Map<String, HostTensor> straight;
        try (BertModel m = fresh(p.classes())) {
            // saving every 2 steps instead does not change the weights
            TrainSettings every2 = new TrainSettings(3e-3, 0.01, Schedule.COSINE, 2, 0, 3, 16, 2, 0.5, 9, true, 2, 2, 1,
                    "macro_f1", true, 0.9, 0.999, 1e-8, 2);
            new Trainer(every2, tmp.resolve("a"), 1, "x", Progress.silent()).train(m, new CellTask(split.train(), split.valid(), p, 32));
            straight = m.hostParameters();
        }
        assertEquals(List.of("checkpoint-6", "checkpoint-8"), names(tmp.resolve("a")), "saved at 2, 4, 6, 8; the two newest kept");
        try (BertModel m = fresh(p.classes())) {
            Trainer.Result stopped = new Trainer(s, tmp.resolve("b"), 1, "x", Progress.silent()).stopAfterSteps(4)
                    .train(m, new CellTask(split.train(), split.valid(), p, 32));
            assertFalse(stopped.finished());
            assertEquals(4, stopped.steps());
        }
        assertEquals(List.of("checkpoint-3", "checkpoint-4"), names(tmp.resolve("b")));
        // what kills leave: a dead process's half-written step 5 (claiming a later step), the remains of its removal
        // of step 3 (renamed aside, then killed) with a lock; a live writer's staging is not touched
        long dead = deadPid();
        Path live = OutputLock.stagingFor(tmp.resolve("b/checkpoint-70").toAbsolutePath());
        String mine = "-" + ProcessHandle.current().pid() + "-";
        Path half = live.resolveSibling(live.getFileName().toString().replace("checkpoint-70", "checkpoint-5").replace(mine, "-" + dead + "-"));
        Path aside = live.resolveSibling(live.getFileName().toString().replace("checkpoint-70", "checkpoint-3").replace(mine, "-" + dead + "-"));
        String host = half.getFileName().toString().split("\\.partial-")[1].split("-" + dead + "-")[0];
        Files.createDirectories(half);
        Files.writeString(half.resolve("trainer_state.json"), "{\"global_step\": 99");
        Files.createDirectories(aside);
        Files.createDirectories(live);
        Path lock = tmp.resolve("b/.checkpoint-3.lock");
        Files.writeString(lock, "host=" + host + "\npid=" + dead + "\n");
        Map<String, HostTensor> resumed;
        try (BertModel m = fresh(p.classes())) {
            Trainer.Result r = new Trainer(s, tmp.resolve("b"), 1, "x", Progress.silent())
                    .train(m, new CellTask(split.train(), split.valid(), p, 32));
            assertTrue(r.resumedFrom() && r.finished());
            resumed = m.hostParameters();
        }
        assertFalse(Files.exists(half) || Files.exists(aside) || Files.exists(lock), "the dead writer's leftovers are removed");
        assertTrue(Files.isDirectory(live), "a live writer's staging stays");
        assertEquals(List.of("checkpoint-8", "checkpoint-9"), names(tmp.resolve("b")));
        assertEquals(straight.keySet(), resumed.keySet());
        boolean anyChanged = false;
        try (BertModel init = fresh(p.classes())) {
            Map<String, HostTensor> start = init.hostParameters();
            for (String k : straight.keySet()) {
                assertArrayEquals(bytes(straight.get(k)), bytes(resumed.get(k)), k);
                anyChanged |= !java.util.Arrays.equals(bytes(start.get(k)), bytes(straight.get(k)));
                if (k.startsWith("bert.encoder.layer.0.")) {
                    assertArrayEquals(bytes(start.get(k)), bytes(straight.get(k)), "frozen layer changed: " + k);
                }
            }
        }
        assertTrue(anyChanged);
        // the metrics log reads as one run: each step once
        List<Long> steps = MetricsLog.read(tmp.resolve("b/metrics.jsonl")).stream().filter(l -> l.has("loss"))
                .map(l -> l.get("step").asLong()).toList();
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L, 9L), steps);
    }

    /** The checkpoints in a run directory, by name. */
    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("checkpoint-")).sorted().toList();
        }
    }

    /** The pid of a process that has ended. */
    static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        return p.pid();
    }

    static byte[] bytes(HostTensor t) {
        ByteBuffer b = t.data().duplicate();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }
}
