package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.CellTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.tensor.Autocast;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bf16 mixed precision (autocast over fp32 weights) on the CPU: slow there, but the same code path as on GPUs. A few
 * steps stay close to fp32's (cell, gene and MLM tasks, padded and packed; dropout off, so that only the precision
 * differs), the weights stay fp32, and the loss falls on a learnable task as in fp32.
 */
class MixedPrecisionTest {
    @TempDir
    Path tmp;

    @Test
    void aFewBf16StepsStayCloseToFp32() {
        List<LabeledCell> cells = SyntheticCells.make(64, 2, 5);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        TrainSettings s = new TrainSettings(3e-3, 0.01, Schedule.LINEAR, 1, 0, 2, 16, 2, 0.5, 5, true, 0, 0, 1,
                "loss", false, 0.9, 0.999, 1e-8, 2);
        for (boolean packed : new boolean[] {false, true}) {
            for (String name : List.of("cell", "gene", "mlm")) {
                Run fp32 = train(name, p, s, packed, ScalarType.Float);
                Run bf16 = train(name, p, s, packed, ScalarType.BFloat16);
                Map<String, HostTensor> start;
                try (BertModel m = PackedTrainingTest.model(PackedTrainingTest.head(name), PackedTrainingTest.classes(name, p))) {
                    start = m.hostParameters();
                }
                // the update each run made, compared as vectors: relative difference and cosine
                double dot = 0, na = 0, nb = 0, diff = 0;
                for (String k : start.keySet()) {
                    float[] o = start.get(k).floats();
                    float[] a = fp32.weights.get(k).floats();
                    float[] b = bf16.weights.get(k).floats();
                    for (int i = 0; i < o.length; i++) {
                        double ua = a[i] - o[i];
                        double ub = b[i] - o[i];
                        dot += ua * ub;
                        na += ua * ua;
                        nb += ub * ub;
                        diff += (ua - ub) * (ua - ub);
                    }
                }
                double rel = Math.sqrt(diff / na);
                double cos = dot / Math.sqrt(na * nb);
                double lossDiff = 0; // relative
                for (int i = 0; i < fp32.losses.size(); i++) {
                    lossDiff = Math.max(lossDiff, Math.abs(fp32.losses.get(i) - bf16.losses.get(i)) / fp32.losses.get(i));
                }
                System.out.printf("%s%s: 4 steps bf16 vs fp32: losses %s vs %s (max relative |d| %.2g); update |bf16 - fp32| / |fp32| %.3f, cosine %.4f%n",
                        name, packed ? " packed" : "", fp32.losses, bf16.losses, lossDiff, rel, cos);
                // measured here: losses within 1.2e-4 (relative), updates 2-10 % apart; with autocast's weight cache left
                // stale after an optimizer step, 8e-3 to 1.3e-2 and 23 %
                assertTrue(lossDiff <= 2e-3, name + ": losses per step within 2e-3 (relative) of fp32's: " + lossDiff);
                assertTrue(rel <= 0.2, name + ": the bf16 update is fp32's within 20 %: " + rel);
                assertTrue(rel > 0, name + ": bf16 computed something else than fp32 (autocast engaged)");
            }
        }
        assertFalse(Autocast.enabled(PackedTrainingTest.CPU), "autocast is off again after training");
    }

    @Test
    void bf16LearnsASeparableTaskAsFp32Does() {
        List<LabeledCell> cells = SyntheticCells.make(300, 3, 1);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        Split split = Split.stratified(p.cells(), SplitSizes.DEFAULT, 42);
        double[] accuracy = new double[2];
        double[][] losses = new double[2][];
        ScalarType[] dtypes = {ScalarType.Float, ScalarType.BFloat16};
        for (int d = 0; d < 2; d++) {
            try (BertModel m = TrainerTest.fresh(p.classes())) {
                Path dir = tmp.resolve("run" + d);
                Trainer.Result r = new Trainer(TrainerTest.settings(6), dir, 0, "synthetic", Progress.silent()).autocast(dtypes[d])
                        .train(m, new CellTask(split.train(), split.valid(), p, 32));
                assertTrue(r.finished());
                assertEquals(ScalarType.Float.value, m.dtype().value, "the weights stay fp32");
                try (Autocast a = Autocast.to(m.device(), dtypes[d])) {
                    accuracy[d] = CellTask.metrics(m, split.test(), p, 32).summary().get("accuracy");
                }
                List<ObjectNode> log = MetricsLog.read(dir.resolve("metrics.jsonl"));
                losses[d] = log.stream().filter(l -> l.has("loss")).mapToDouble(l -> l.get("loss").asDouble()).toArray();
            }
        }
        System.out.printf("separable task, 6 epochs: test accuracy fp32 %.3f, bf16 %.3f; training loss fp32 %.3f -> %.3f, bf16 %.3f -> %.3f%n",
                accuracy[0], accuracy[1], losses[0][0], losses[0][losses[0].length - 1], losses[1][0], losses[1][losses[1].length - 1]);
        assertTrue(accuracy[1] > 0.95, "bf16 test accuracy " + accuracy[1]);
        assertTrue(losses[1][losses[1].length - 1] < losses[1][0] / 3, "bf16 training loss falls");
    }

    @Test
    void fp16TrainingIsRefusedWithTheReason() {
        UserException e = org.junit.jupiter.api.Assertions.assertThrows(UserException.class,
                () -> new Trainer(TrainerTest.settings(1), tmp, 0, "x", Progress.silent()).autocast(ScalarType.Half));
        assertTrue(e.getMessage().contains("loss scaling"), e.getMessage());
    }

    record Run(Map<String, HostTensor> weights, List<Double> losses) {}

    private Run train(String name, CellSelection.Prepared p, TrainSettings s, boolean packed, ScalarType dtype) {
        try (BertModel m = PackedTrainingTest.model(PackedTrainingTest.head(name), PackedTrainingTest.classes(name, p))) {
            Path dir = tmp.resolve(name + packed + dtype.value);
            Trainer.Result r = new Trainer(s, dir, 0, name, Progress.silent()).autocast(dtype)
                    .train(m, PackedTrainingTest.tasks(p.cells(), p, packed).get(name));
            assertEquals(4, r.steps());
            assertEquals(ScalarType.Float.value, m.dtype().value);
            List<Double> losses = MetricsLog.read(dir.resolve("metrics.jsonl")).stream().filter(l -> l.has("loss"))
                    .map(l -> l.get("loss").asDouble()).toList();
            return new Run(m.hostParameters(), losses);
        }
    }
}
