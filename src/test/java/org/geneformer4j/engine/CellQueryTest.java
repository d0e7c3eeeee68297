package org.geneformer4j.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CellQueryTest {
    @TempDir
    Path tmp;
    Path dataset;
    final GeneVocabulary vocab = GeneVocabulary.builtin("gc104M");
    final int n = 60;

    @BeforeEach
    void write() throws Exception {
        int[][] tokens = new int[n][];
        String[] ids = new String[n];
        String[] type = new String[n];
        for (int i = 0; i < n; i++) {
            tokens[i] = new int[] {2, 100 + i % 7, 200 + i, 3};
            ids[i] = "c" + i;
            type[i] = i % 3 == 0 ? "B" : "T";
        }
        dataset = tmp.resolve("cells.dataset");
        try (HfDatasetWriter w = new HfDatasetWriter(dataset, List.of(new Column("input_ids", ColumnType.INT32_LIST),
                new Column("cell_type", ColumnType.STRING), new Column("cell_id", ColumnType.STRING)), false,
                HfDatasetWriter.DEFAULT_SHARD_BYTES)) {
            w.write(new RowBatch(n, new Object[] {tokens, type, ids}));
            w.commit();
        }
    }

    static BertConfig config(String json) {
        try {
            return BertConfig.of((com.fasterxml.jackson.databind.node.ObjectNode) new com.fasterxml.jackson.databind.ObjectMapper().readTree(json), "test");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    Selection select(CellQuery q) {
        BertConfig config = config(
                "{\"vocab_size\": 20275, \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                        + " \"intermediate_size\": 16, \"max_position_embeddings\": 64}");
        try (DatasetReader r = Datasets.open(dataset)) {
            return q.select(r, new TokenCheck(config, vocab, true));
        }
    }

    @Test
    void filtersTheRuleAndCarriedColumnsKeepRowOrder() {
        Selection s = select(CellQuery.all().filter(Map.of("cell_type", Set.of("B"))).carry("--emb-label", List.of("cell_type"))
                .where(t -> t[1] == 100, "holds gene 100"));
        // B: rows 0, 3, 6, ...; token 100: rows 0, 7, 14, ...; both: multiples of 21
        assertEquals(List.of(0, 21, 42), s.cells().stream().map(SelectedCell::row).toList());
        assertEquals("c21", s.cells().get(1).id());
        assertEquals("B", s.cells().get(1).value(0));
        assertArrayEquals(new int[] {2, 100, 221, 3}, s.cells().get(1).tokens());
        assertEquals(n, s.rows());
        assertNull(s.tokensSha256(), "no fingerprint unless asked");
    }

    @Test
    void theSampleIsTheSeededShuffleEveryStageDrewBefore() {
        Selection s = select(CellQuery.all().sample(10, 7).withoutTokens());
        // what EmbeddingExtractor, CellSource and CellSelection each did before the engine: shuffle the rows, take 10
        List<Integer> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(i);
        }
        Collections.shuffle(rows, new Random(7));
        List<Integer> expected = new ArrayList<>(rows.subList(0, 10));
        Collections.sort(expected);
        assertEquals(expected, s.cells().stream().map(SelectedCell::row).toList());
        assertNull(s.cells().get(0).tokens(), "rows only");
        assertEquals(10, Sample.indices(n, 10, 7).length);
        assertArrayEquals(expected.stream().mapToInt(i -> i).toArray(), Sample.indices(n, 10, 7));
        assertNotEquals(expected, select(CellQuery.all().sample(10, 8)).cells().stream().map(SelectedCell::row).toList());
    }

    @Test
    void theFingerprintFollowsTheTokens() {
        String a = select(CellQuery.all().fingerprinted()).tokensSha256();
        assertEquals(64, a.length());
        assertEquals(a, select(CellQuery.all().fingerprinted().filter(Map.of("cell_type", Set.of("B")))).tokensSha256(),
                "the fingerprint is of the whole dataset, not of the selection");
    }

    @Test
    void emptySelectionsAndMissingColumnsAreOneClearError() {
        UserException none = assertThrows(UserException.class,
                () -> select(CellQuery.all().filter(Map.of("cell_type", Set.of("NK")))));
        assertTrue(none.getMessage().startsWith("no cell passes --filter"), none.getMessage());
        UserException col = assertThrows(UserException.class, () -> select(CellQuery.all().carry("--label", List.of("donor"))));
        assertTrue(col.getMessage().startsWith("--label column 'donor' is not in the dataset (columns: input_ids, cell_type, cell_id"),
                col.getMessage());
    }

    @Test
    void everyRowIsCheckedAgainstTheModelFilteredOrNot() {
        // a V2 model whose positions are too few for one cell that the filter drops: still refused
        BertConfig small = config(
                "{\"vocab_size\": 20275, \"hidden_size\": 8, \"num_hidden_layers\": 1, \"num_attention_heads\": 2,"
                        + " \"intermediate_size\": 16, \"max_position_embeddings\": 3}");
        try (DatasetReader r = Datasets.open(dataset)) {
            UserException e = assertThrows(UserException.class, () -> CellQuery.all().filter(Map.of("cell_type", Set.of("B")))
                    .select(r, new TokenCheck(small, vocab, true)));
            assertTrue(e.getMessage().contains("cell c0 has 4 tokens but the model takes 3 positions"), e.getMessage());
        }
    }
}
