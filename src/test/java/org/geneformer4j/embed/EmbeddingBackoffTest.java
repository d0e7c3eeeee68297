package org.geneformer4j.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.model.Head;
import org.geneformer4j.util.Progress;
import org.geneformer4j.vocab.GeneVocabulary;
import org.geneformer4j.engine.MemoryBackoff;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A device that runs out of memory mid-job (simulated: batches over a token limit fail as CUDA's allocator fails)
 * costs retries, not the job: the batches are halved until they fit, and the embeddings are those of a run that
 * never ran out, padded and packed.
 */
class EmbeddingBackoffTest {
    @TempDir
    Path tmp;

    Path dataset() throws IOException {
        Random r = new Random(3);
        int n = 40;
        int[][] tokens = new int[n][];
        String[] ids = new String[n];
        long[] len = new long[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = new int[5 + r.nextInt(200)];
            tokens[i][0] = 2;
            for (int j = 1; j < tokens[i].length - 1; j++) {
                tokens[i][j] = 4 + r.nextInt(20000);
            }
            tokens[i][tokens[i].length - 1] = 3;
            ids[i] = "c" + i;
            len[i] = tokens[i].length;
        }
        Path out = tmp.resolve("cells.dataset");
        try (HfDatasetWriter w = new HfDatasetWriter(out, List.of(new Column("input_ids", ColumnType.INT32_LIST),
                new Column("cell_id", ColumnType.STRING), new Column("length", ColumnType.INT64)), false,
                HfDatasetWriter.DEFAULT_SHARD_BYTES)) {
            w.write(new RowBatch(n, new Object[] {tokens, ids, len}));
            w.commit();
        }
        return out;
    }

    List<String> embed(Path ds, boolean packed, long memoryTokens, int[] halvings) throws IOException {
        Device cpu = new Device(torch.DeviceType.CPU, (byte) -1);
        EmbedSettings s = new EmbedSettings(EmbMode.CELL, -1, 0, 42, Map.of(), List.of(), null, false, 100, 100_000, 0, packed);
        Path out = tmp.resolve("e" + packed + memoryTokens + ".csv");
        try (BertModel m = BertModel.load(Checkpoint.load(TestData.resource("fixtures/model/tiny_v2")), Head.NONE, 0, cpu,
                ScalarType.Float, 0).model()) {
            EmbeddingExtractor ex = new EmbeddingExtractor(List.of(org.geneformer4j.engine.Worker.around(m)), GeneVocabulary.builtin("gc104M"), true, s);
            MemoryBackoff.simulateLimit(memoryTokens);
            try (EmbeddingSink sink = Sinks.open(out, "csv", true)) {
                halvings[0] = ex.run(() -> Datasets.open(ds), out, sink, Progress.silent()).halvings();
            } finally {
                MemoryBackoff.simulateLimit(Long.MAX_VALUE);
            }
        }
        return Files.readAllLines(out);
    }

    @Test
    void outOfMemoryHalvesTheBatchAndChangesNoNumber() throws IOException {
        Path ds = dataset();
        for (boolean packed : new boolean[] {false, true}) {
            int[] none = {0};
            int[] some = {0};
            List<String> plenty = embed(ds, packed, Long.MAX_VALUE, none);
            List<String> tight = embed(ds, packed, 1500, some);
            assertEquals(0, none[0]);
            assertTrue(some[0] > 0, "the limit must have split batches");
            assertEquals(plenty.size(), tight.size());
            for (int i = 1; i < plenty.size(); i++) {
                String[] a = plenty.get(i).split(","), b = tight.get(i).split(",");
                assertEquals(a[0], b[0], "same order");
                for (int d = 1; d < a.length; d++) {
                    assertEquals(Float.parseFloat(a[d]), Float.parseFloat(b[d]), 1e-5);
                }
            }
        }
    }
}
