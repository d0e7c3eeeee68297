package org.geneformer4j.pretrain;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.TestData;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.dataset.MemoryRows;
import org.geneformer4j.distributed.DataParallel;
import org.geneformer4j.engine.TokenCheck;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.train.Schedule;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.train.Trainer;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pretraining on cells streamed from their datasets ends with the very weights of pretraining on the same cells
 * held in memory, as it was done before streaming: every cell read into a list, a shuffled share held out, the
 * unigram counted over the rest. The corpus is the Genecorpus parquet sample (cells of up to 2,048 tokens) followed
 * by an Arrow dataset of short cells.
 */
class CorpusTest {
    @TempDir
    Path tmp;

    static final GeneVocabulary VOCAB = GeneVocabulary.builtin("gc30M");
    static final BertConfig CONFIG = RandomInit.config(VOCAB.size(), 16, 1, 2, 32, 2048);
    static final TrainSettings SETTINGS = new TrainSettings(1e-3, 0.01, Schedule.LINEAR, 1, 0, 0.006, 2, 1, 1.0, 9, true,
            1000, 0, 0, "loss", false, 0.9, 0.999, 1e-8, 2);

    private List<Path> corpus() throws Exception {
        Path own = tmp.resolve("short.dataset");
        Random r = new Random(5);
        try (HfDatasetWriter w = new HfDatasetWriter(own, List.of(new Column("input_ids", ColumnType.INT32_LIST)), false, 4096)) {
            for (int b = 0; b < 10; b++) {
                int[][] cells = new int[10][];
                for (int i = 0; i < cells.length; i++) {
                    cells[i] = r.ints(5 + r.nextInt(60), 2, VOCAB.size()).toArray();
                }
                w.write(new RowBatch(cells.length, new Object[] {cells}));
            }
            w.commit();
        }
        return List.of(TestData.resource("fixtures/genecorpus_500_samples.parquet"), own);
    }

    private static Map<String, HostTensor> train(PretrainTask task, Path dir) {
        try (BertModel m = BertModel.load(RandomInit.checkpoint(CONFIG.withDropout(0), 3), Head.MLM, List.of(), new Device("cpu"),
                torch.ScalarType.Float, 9).model()) {
            Trainer.Result r = new Trainer(SETTINGS, dir, 0, "x", Progress.silent()).train(m, task);
            assertTrue(r.finished() && r.steps() == 2, "steps " + r.steps());
            return m.hostParameters();
        }
    }

    @Test
    void streamedCellsTrainToTheWeightsOfCellsHeldInMemory() throws Exception {
        List<Path> paths = corpus();
        MlmMasking masking = MlmMasking.upstream(VOCAB);
        // before: every cell in memory, a shuffled 10 % held out, the rest in the shuffled order
        List<int[]> all = new ArrayList<>();
        for (Path p : paths) {
            try (DatasetReader rd = Datasets.open(p)) {
                TokenColumns c = TokenColumns.of(rd, List.of());
                while (rd.hasNext()) {
                    RowBatch b = rd.next();
                    for (int i = 0; i < b.rows(); i++) {
                        all.add(c.tokens(b, i));
                    }
                }
            }
        }
        List<int[]> shuffled = new ArrayList<>(all);
        Collections.shuffle(shuffled, new Random(SETTINGS.seed()));
        int held = (int) Math.round(shuffled.size() * 0.1);
        List<int[]> trainCells = shuffled.subList(held, shuffled.size());
        long[] counts = new long[VOCAB.size()];
        trainCells.forEach(c -> Arrays.stream(c).forEach(t -> counts[t]++));
        MemoryRows memory = new MemoryRows(trainCells);
        int[] identity = java.util.stream.IntStream.range(0, trainCells.size()).toArray();
        PretrainTask inMemory = new PretrainTask(new Cells(memory, identity), new Cells(memory, new int[0]), masking,
                SETTINGS.seed(), 8, counts);
        Map<String, HostTensor> expected = train(inMemory, tmp.resolve("memory"));

        try (Corpus c = Corpus.open(paths, null, 0.1, SETTINGS.seed(), new TokenCheck(CONFIG, VOCAB, false), VOCAB.size(),
                DataParallel.single())) {
            assertEquals(trainCells.size(), c.train.size());
            assertEquals(held, c.valid.size());
            for (int i = 0; i < trainCells.size(); i++) {
                assertArrayEquals(trainCells.get(i), c.train.tokens(i), "training cell " + i);
            }
            assertArrayEquals(counts, c.tokenCounts, "the unigram baseline's counts");
            // no validation cells in either run: evaluating 2,048-token cells is slow, and it does not move the weights
            Map<String, HostTensor> streamed = train(new PretrainTask(c.train, new Cells(memory, new int[0]), masking, SETTINGS.seed(), 8,
                    c.tokenCounts), tmp.resolve("streamed"));
            assertEquals(expected.keySet(), streamed.keySet());
            for (String k : expected.keySet()) {
                assertEquals(expected.get(k).data(), streamed.get(k).data(), k);
            }
        }
    }

    @Test
    void cellsThatDoNotFitTheModelAreRefusedBeforeTraining() throws Exception {
        BertConfig shortModel = RandomInit.config(VOCAB.size(), 16, 1, 2, 32, 512);
        UserException e = assertThrows(UserException.class, () -> Corpus.open(corpus(), null, 0.1, 9,
                new TokenCheck(shortModel, VOCAB, false), VOCAB.size(), DataParallel.single()));
        assertTrue(e.getMessage().contains("genecorpus_500_samples.parquet row") && e.getMessage().contains("512 positions"), e.getMessage());
    }
}
