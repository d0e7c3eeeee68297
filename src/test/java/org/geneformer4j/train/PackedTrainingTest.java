package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.CellTask;
import org.geneformer4j.classify.GeneTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.dataset.MemoryRows;
import org.geneformer4j.dataset.TokenRows;
import org.geneformer4j.pretrain.Cells;
import org.geneformer4j.pretrain.MlmMasking;
import org.geneformer4j.pretrain.PretrainTask;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.Progress;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training on packed batches (cells end to end, no padding) is training on padded ones: for cell classification,
 * gene classification and masked gene modelling the loss and every parameter's gradient of a packed batch are the
 * padded batch's, and a few optimizer steps end at the same weights. Dropout is off: its masks are drawn per
 * element, so the two layouts draw different ones.
 */
class PackedTrainingTest {
    static final BertConfig CONFIG = TrainerTest.CONFIG.withDropout(0);
    static final Device CPU = new Device("cpu");

    @TempDir
    Path tmp;

    static BertModel model(Head head, List<String> classes) {
        return BertModel.load(RandomInit.checkpoint(CONFIG, 7), head, classes, CPU, torch.ScalarType.Float, 11).model();
    }

    /** Cell, gene and MLM tasks over the same cells (6 to 15 tokens), padded or packed. */
    static Map<String, TrainingTask> tasks(List<LabeledCell> cells, CellSelection.Prepared p, boolean packed) {
        Map<Integer, Integer> genes = new LinkedHashMap<>();
        for (int g = 8; g < SyntheticCells.VOCAB; g++) {
            genes.put(g, g % 2);
        }
        Map<String, TrainingTask> t = new LinkedHashMap<>();
        t.put("cell", new CellTask(cells, List.of(), p, 32, packed));
        t.put("gene", new GeneTask(cells, new GeneTask.GeneSplit(genes, Map.of(), Map.of()), List.of("even", "odd"), 32, packed));
        List<int[]> tokens = cells.stream().map(LabeledCell::tokens).toList();
        TokenRows rows = new MemoryRows(tokens);
        long[] counts = new long[SyntheticCells.VOCAB];
        tokens.forEach(c -> java.util.Arrays.stream(c).forEach(g -> counts[g]++));
        t.put("mlm", new PretrainTask(new Cells(rows, java.util.stream.IntStream.range(0, tokens.size()).toArray()),
                new Cells(rows, new int[0]), MlmMasking.upstream(SyntheticCells.VOCAB, 0, 1).withProbability(0.3), 5, 32, counts, packed));
        return t;
    }

    static Head head(String task) {
        return switch (task) {
            case "cell" -> Head.SEQUENCE_CLASSIFICATION;
            case "gene" -> Head.TOKEN_CLASSIFICATION;
            default -> Head.MLM;
        };
    }

    static List<String> classes(String task, CellSelection.Prepared p) {
        return switch (task) {
            case "cell" -> p.classes();
            case "gene" -> List.of("even", "odd");
            default -> List.of();
        };
    }

    /** The loss of {@code examples} and every parameter's gradient after its backward pass. */
    static Map<String, float[]> lossAndGradients(BertModel m, TrainingTask task, int[] examples) {
        Map<String, float[]> out = new LinkedHashMap<>();
        Map<String, Tensor> trainable = Trainer.trainable(m, 0);
        try (PointerScope scope = new PointerScope()) {
            m.train(true);
            Tensor loss = task.loss(m, examples, 3);
            out.put("loss", new float[] {(float) loss.item_double()});
            loss.backward();
            for (var e : trainable.entrySet()) {
                Tensor g = e.getValue().grad();
                out.put(e.getKey(), g.defined() ? Tensors.floatArray(g) : new float[0]);
                if (g.defined()) {
                    g.zero_();
                }
            }
        } finally {
            m.parameters().values().forEach(t -> t.requires_grad_(false));
        }
        return out;
    }

    @Test
    void lossAndGradientsOfAPackedBatchAreThePaddedBatchs() {
        List<LabeledCell> cells = SyntheticCells.make(24, 2, 4);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        int[] batch = new int[p.cells().size()];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = i;
        }
        Map<String, TrainingTask> padded = tasks(p.cells(), p, false);
        Map<String, TrainingTask> packed = tasks(p.cells(), p, true);
        for (String name : padded.keySet()) {
            try (BertModel m = model(head(name), classes(name, p))) {
                Map<String, float[]> a = lossAndGradients(m, padded.get(name), batch);
                Map<String, float[]> b = lossAndGradients(m, packed.get(name), batch);
                assertEquals(a.keySet(), b.keySet());
                double worst = 0;
                double largest = 0;
                int nonZero = 0;
                for (String k : a.keySet()) {
                    float[] x = a.get(k);
                    float[] y = b.get(k);
                    assertEquals(x.length, y.length, k);
                    for (int i = 0; i < x.length; i++) {
                        worst = Math.max(worst, Math.abs(x[i] - y[i]));
                        largest = k.equals("loss") ? largest : Math.max(largest, Math.abs(x[i]));
                        nonZero += !k.equals("loss") && x[i] != 0 ? 1 : 0;
                    }
                }
                System.out.printf("%s: loss %.6f padded, %.6f packed; max |gradient| %.3g, max |padded - packed| %.3g over %d non-zero values%n",
                        name, a.get("loss")[0], b.get("loss")[0], largest, worst, nonZero);
                assertEquals(a.get("loss")[0], b.get("loss")[0], 1e-5, name + " loss");
                assertTrue(nonZero > 1000, name + ": gradients reach the encoder: " + nonZero);
                assertTrue(worst <= 1e-5, name + ": max |padded - packed| over the loss and gradients " + worst);
            }
        }
    }

    @Test
    void aFewPackedStepsEndAtThePaddedWeights() {
        List<LabeledCell> cells = SyntheticCells.make(64, 2, 5);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        // 64 cells, batch 16, accumulation 2: two steps an epoch, four in all; clipping and weight decay on
        TrainSettings s = new TrainSettings(3e-3, 0.01, Schedule.LINEAR, 1, 0, 2, 16, 2, 0.5, 5, true, 0, 0, 1,
                "loss", false, 0.9, 0.999, 1e-8, 2);
        for (String name : List.of("cell", "gene", "mlm")) {
            Map<String, HostTensor> padded = trained(name, p, s, false);
            Map<String, HostTensor> packed = trained(name, p, s, true);
            double worst = 0;
            double moved = 0;
            Map<String, HostTensor> start;
            try (BertModel m = model(head(name), classes(name, p))) {
                start = m.hostParameters();
            }
            for (String k : padded.keySet()) {
                float[] a = padded.get(k).floats();
                float[] b = packed.get(k).floats();
                float[] o = start.get(k).floats();
                for (int i = 0; i < a.length; i++) {
                    worst = Math.max(worst, Math.abs(a[i] - b[i]));
                    moved = Math.max(moved, Math.abs(a[i] - o[i]));
                }
            }
            System.out.printf("%s: 4 steps, weights moved up to %.3g; max |padded - packed| %.3g%n", name, moved, worst);
            assertTrue(moved > 1e-3, name + ": the steps trained: " + moved);
            assertTrue(worst <= 1e-5, name + ": max |padded - packed| of the weights " + worst);
        }
    }

    private Map<String, HostTensor> trained(String name, CellSelection.Prepared p, TrainSettings s, boolean packed) {
        try (BertModel m = model(head(name), classes(name, p))) {
            Trainer.Result r = new Trainer(s, tmp.resolve(name + packed), 0, name, Progress.silent()).train(m, tasks(p.cells(), p, packed).get(name));
            assertEquals(4, r.steps());
            return m.hostParameters();
        }
    }
}
