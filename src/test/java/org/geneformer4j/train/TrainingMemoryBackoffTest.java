package org.geneformer4j.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiPredicate;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.CellTask;
import org.geneformer4j.classify.LabeledCell;
import org.geneformer4j.classify.Split;
import org.geneformer4j.classify.SplitSizes;
import org.geneformer4j.dataset.MemoryRows;
import org.geneformer4j.engine.MemoryBackoff;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.pretrain.MlmMasking;
import org.geneformer4j.pretrain.PretrainTask;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training step that runs out of device memory goes through again in pieces whose gradients accumulate: the run
 * ends with the weights of a run that had the memory. Without dropout the pieces' arithmetic differs from the whole
 * batch's only in the order of its sums. The device's error is simulated (a CPU has no such limit to reach).
 */
class TrainingMemoryBackoffTest {
    @TempDir
    Path tmp;

    private static final BertConfig CONFIG = TrainerTest.CONFIG.withDropout(0);
    private static final GeneVocabulary VOCAB = GeneVocabulary.builtin("gc30M");

    /** 96 training cells, batch 16, accumulation 2: 3 steps an epoch, 2 epochs. */
    private static TrainSettings settings() {
        return new TrainSettings(3e-3, 0.01, Schedule.LINEAR, 1, 0, 2, 16, 2, 1.0, 5, true, 0, 0, 2,
                "macro_f1", true, 0.9, 0.999, 1e-8, 2);
    }

    @Test
    void aBatchOverTheLimitTrainsInPiecesToTheSameWeights() throws Exception {
        CellData cells = cellTask();
        Map<String, HostTensor> straight = train(cells.task(), tmp.resolve("a"), Progress.silent());
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Progress progress = new Progress(new PrintStream(err, true, StandardCharsets.UTF_8), "train", "steps", 0, false, 1e9);
        // more than 5 cells in one forward pass is "out of memory": 16 -> 8 -> 4 cells a piece
        Map<String, HostTensor> pieces = train(new Limited(cells.task(), (examples, call) -> examples.length > 5),
                tmp.resolve("b"), progress);
        assertClose(straight, pieces, 1e-6);
        String log = err.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("out of memory at step 1 (rank 0): each batch now goes through in 2 pieces"), log);
        assertTrue(log.contains("in 4 pieces"), log);
        // a resumed run cuts its batches as the run did
        Path last = Files.list(tmp.resolve("b")).filter(p -> p.getFileName().toString().startsWith("checkpoint-"))
                .sorted().reduce((x, y) -> y).orElseThrow();
        assertEquals(4, new ObjectMapper().readTree(last.resolve("trainer_state.json").toFile()).get("memory_pieces").asInt());
    }

    @Test
    void aFailureAfterPartOfTheStepsGradientsDoesNotCountThemTwice() {
        CellData cells = cellTask();
        Map<String, HostTensor> straight = train(cells.task(), tmp.resolve("a"), Progress.silent());
        // the second micro-batch of the first step fails once, after the first one's backward pass
        Map<String, HostTensor> again = train(new Limited(cells.task(), (examples, call) -> call == 1),
                tmp.resolve("b"), Progress.silent());
        assertClose(straight, again, 1e-6);
    }

    @Test
    void maskedGeneModellingWeighsPiecesByTheirMaskedTokens() {
        List<int[]> cells = randomCells(64, 5);
        long[] counts = counts(cells);
        MemoryRows rows = new MemoryRows(cells);
        int[] all = java.util.stream.IntStream.range(0, cells.size()).toArray();
        BertConfig config = RandomInit.config(VOCAB.size(), 16, 1, 2, 32, 2048).withDropout(0);
        TrainSettings s = new TrainSettings(1e-3, 0.01, Schedule.LINEAR, 1, 0, 1, 16, 1, 1.0, 9, true, 1000, 0, 0,
                "loss", false, 0.9, 0.999, 1e-8, 2);
        Map<String, HostTensor>[] out = new Map[2];
        for (int run = 0; run < 2; run++) {
            TrainingTask task = new PretrainTask(new org.geneformer4j.pretrain.Cells(rows, all),
                    new org.geneformer4j.pretrain.Cells(rows, new int[0]), MlmMasking.upstream(VOCAB), 3, 8, counts);
            if (run == 1) {
                task = new Limited(task, (examples, call) -> examples.length > 3);
            }
            try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 3), Head.MLM, List.of(), new Device("cpu"),
                    torch.ScalarType.Float, 9).model()) {
                new Trainer(s, tmp.resolve("mlm" + run), 0, "x", Progress.silent()).train(m, task);
                out[run] = m.hostParameters();
            }
        }
        assertClose(out[0], out[1], 1e-6);
    }

    @Test
    void evaluationsHalveABatchTheDeviceCannotHold() {
        CellData data = cellTask();
        List<int[]> cells = randomCells(40, 8);
        long[] counts = counts(cells);
        MemoryRows rows = new MemoryRows(cells);
        int[] all = java.util.stream.IntStream.range(0, cells.size()).toArray();
        PretrainTask mlm = new PretrainTask(new org.geneformer4j.pretrain.Cells(rows, new int[0]),
                new org.geneformer4j.pretrain.Cells(rows, all), MlmMasking.upstream(VOCAB), 3, 16, counts);
        BertConfig config = RandomInit.config(VOCAB.size(), 16, 1, 2, 32, 2048).withDropout(0);
        try (BertModel classifier = BertModel.load(RandomInit.checkpoint(CONFIG, 7), Head.SEQUENCE_CLASSIFICATION,
                List.of("0", "1"), new Device("cpu"), torch.ScalarType.Float, 11).model();
                BertModel mlmModel = BertModel.load(RandomInit.checkpoint(config, 3), Head.MLM, List.of(),
                        new Device("cpu"), torch.ScalarType.Float, 9).model()) {
            Map<String, Double> cellsWhole = CellTask.metrics(classifier, data.split().valid(), data.prepared(), 32).summary();
            Map<String, Double> mlmWhole = mlm.evaluate(mlmModel);
            MemoryBackoff.simulateLimit(200); // a batch of 32 cells is over 1,000 tokens; 16 of these, over 200
            Map<String, Double> cellsHalved;
            Map<String, Double> mlmHalved;
            try {
                cellsHalved = CellTask.metrics(classifier, data.split().valid(), data.prepared(), 32).summary();
                mlmHalved = mlm.evaluate(mlmModel);
            } finally {
                MemoryBackoff.simulateLimit(Long.MAX_VALUE);
            }
            // the limit is met in both paths: below every single cell, the back-off gives up with its one line
            MemoryBackoff.simulateLimit(1);
            try {
                assertThrows(UserException.class,
                        () -> CellTask.metrics(classifier, data.split().valid(), data.prepared(), 32));
                assertThrows(UserException.class, () -> mlm.evaluate(mlmModel));
            } finally {
                MemoryBackoff.simulateLimit(Long.MAX_VALUE);
            }
            assertEquals(cellsWhole.keySet(), cellsHalved.keySet());
            for (String k : cellsWhole.keySet()) {
                assertEquals(cellsWhole.get(k), cellsHalved.get(k), 1e-6, k);
            }
            assertEquals(mlmWhole.get("masked_tokens"), mlmHalved.get("masked_tokens"));
            for (String k : mlmWhole.keySet()) { // perplexity is e^loss: relative
                assertEquals(mlmWhole.get(k), mlmHalved.get(k), 1e-6 * Math.max(1, Math.abs(mlmWhole.get(k))), k);
            }
        }
    }

    @Test
    void aSingleCellOverTheLimitIsOneClearError() {
        CellData cells = cellTask();
        UserException e = assertThrows(UserException.class,
                () -> train(new Limited(cells.task(), (examples, call) -> true), tmp.resolve("c"), Progress.silent()));
        assertTrue(e.getMessage().startsWith("out of memory on a single cell at step 1; use --dtype bf16"),
                e.getMessage());
    }

    private record CellData(CellSelection.Prepared prepared, Split split) {
        CellTask task() {
            return new CellTask(split.train(), split.valid(), prepared, 32);
        }
    }

    /** Cells of 5 to 64 random genes. */
    private static List<int[]> randomCells(int n, long seed) {
        Random r = new Random(seed);
        List<int[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            cells.add(r.ints(5 + r.nextInt(60), 2, VOCAB.size()).toArray());
        }
        return cells;
    }

    /** Each gene's count over {@code cells} (the unigram baseline of masked gene modelling). */
    private static long[] counts(List<int[]> cells) {
        long[] counts = new long[VOCAB.size()];
        cells.forEach(c -> java.util.Arrays.stream(c).forEach(t -> counts[t]++));
        return counts;
    }

    private static CellData cellTask() {
        List<LabeledCell> cells = SyntheticCells.make(120, 2, 3);
        CellSelection.Prepared p = SyntheticCells.prepared(cells);
        return new CellData(p, Split.stratified(p.cells(), SplitSizes.DEFAULT, 42));
    }

    private static Map<String, HostTensor> train(CellTask task, Path dir, Progress progress) {
        return train((TrainingTask) task, dir, progress);
    }

    private static Map<String, HostTensor> train(TrainingTask task, Path dir, Progress progress) {
        try (BertModel m = BertModel.load(RandomInit.checkpoint(CONFIG, 7), Head.SEQUENCE_CLASSIFICATION,
                List.of("0", "1"), new Device("cpu"), torch.ScalarType.Float, 11).model()) {
            new Trainer(settings(), dir, 0, "x", progress).train(m, task);
            return m.hostParameters();
        }
    }

    private static void assertClose(Map<String, HostTensor> a, Map<String, HostTensor> b, double tol) {
        assertEquals(a.keySet(), b.keySet());
        double worst = 0;
        for (String k : a.keySet()) {
            float[] x = floats(a.get(k));
            float[] y = floats(b.get(k));
            for (int i = 0; i < x.length; i++) {
                worst = Math.max(worst, Math.abs(x[i] - y[i]));
            }
        }
        assertTrue(worst <= tol, "max |d| of weights " + worst);
    }

    private static float[] floats(HostTensor t) {
        java.nio.FloatBuffer f = t.data().duplicate().order(java.nio.ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
        float[] out = new float[f.remaining()];
        f.get(out);
        return out;
    }

    /** A task whose forward pass "runs out of memory" where {@code over(examples, call)} says so. */
    private static final class Limited implements TrainingTask {
        private final TrainingTask inner;
        private final BiPredicate<int[], Integer> over;
        private int calls;

        Limited(TrainingTask inner, BiPredicate<int[], Integer> over) {
            this.inner = inner;
            this.over = over;
        }

        private void check(int[] examples) {
            if (over.test(examples, calls++)) {
                throw new RuntimeException("CUDA out of memory. Tried to allocate 2.00 GiB (simulated: "
                        + examples.length + " cells)\nException raised from malloc at CUDACachingAllocator.cpp");
            }
        }

        public int trainSize() {
            return inner.trainSize();
        }

        public int length(int i) {
            return inner.length(i);
        }

        public Tensor loss(BertModel model, int[] examples) {
            check(examples);
            return inner.loss(model, examples);
        }

        public Tensor loss(BertModel model, int[] examples, long step) {
            check(examples);
            return inner.loss(model, examples, step);
        }

        public long weight(int[] examples, long step) {
            return inner.weight(examples, step);
        }

        public Tensor lossPart(BertModel model, int[] share, int[] batch, double shareOfWeight, long step) {
            check(share);
            return inner.lossPart(model, share, batch, shareOfWeight, step);
        }

        public Map<String, Double> evaluate(BertModel model) {
            return inner.evaluate(model);
        }
    }
}
