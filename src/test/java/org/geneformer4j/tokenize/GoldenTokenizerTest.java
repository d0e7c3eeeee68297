package org.geneformer4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.counts.CellMatrixReader;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The goldens made by running upstream's tokenizer (ff551ee) must be reproduced token for token. */
class GoldenTokenizerTest {
    @TempDir
    Path tmp;

    @ParameterizedTest
    @CsvSource({"v2_basic,V2", "v1_basic,V1"})
    void reproducesUpstreamGoldens(String dir, String version) throws Exception {
        Path gold = TestData.resource("goldens/tokenizer/" + dir);
        TokenizerSettings s = TokenizerSettings.forVersion(version).withThreads(2).withChunkSize(2);
        Map<String, String> attrs = new LinkedHashMap<>();
        attrs.put("cell_type", "cell_type");
        s = s.withAttributes(attrs);
        GeneVocabulary vocab = GeneVocabulary.builtin(s.vocabularyName());
        CellMatrixReader in = new CsvCountsReader(gold.resolve("counts.csv"), gold.resolve("obs.tsv"));
        List<int[]> got = new ArrayList<>();
        List<String> ids = new ArrayList<>();
        List<String> types = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        Path out = tmp.resolve("out.dataset");
        TokenizeReport report = new Tokenizer(s, vocab, m -> { }).run(in, out);
        assertEquals(1, report.truncated(), "one golden cell exceeds the input size");
        assertEquals(0, report.emptyCells());
        assertEquals(in.nCells(), report.cellsRead());
        try (DatasetReader r = Datasets.open(out)) {
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    got.add(((int[][]) b.columns()[r.columnIndex("input_ids")])[i]);
                    ids.add(((String[]) b.columns()[r.columnIndex("cell_id")])[i]);
                    types.add(((String[]) b.columns()[r.columnIndex("cell_type")])[i]);
                    lengths.add(((long[]) b.columns()[r.columnIndex("length")])[i]);
                }
            }
        }
        List<JsonNode> expected = TestData.jsonl(gold.resolve("expected.jsonl"));
        assertEquals(expected.size(), got.size(), "cells written (filter_pass drops one)");
        for (int i = 0; i < expected.size(); i++) {
            JsonNode e = expected.get(i);
            assertArrayEquals(TestData.ints(e.get("input_ids")), got.get(i), "cell " + i);
            assertEquals(e.get("length").asLong(), lengths.get(i));
            assertEquals(e.get("cell_id").asText(), ids.get(i));
            assertEquals(e.get("cell_type").asText(), types.get(i));
        }
    }

    @ParameterizedTest
    @CsvSource({"v2_basic,V2", "v1_basic,V1"})
    void encoderAloneMatchesGoldens(String dir, String version) throws Exception {
        Path gold = TestData.resource("goldens/tokenizer/" + dir);
        TokenizerSettings s = TokenizerSettings.forVersion(version);
        GeneVocabulary vocab = GeneVocabulary.builtin(s.vocabularyName());
        CsvCountsReader in = new CsvCountsReader(gold.resolve("counts.csv"), gold.resolve("obs.tsv"));
        GenePlan plan = GenePlan.build(vocab, in.geneIds(null, new ArrayList<>()), true, "golden");
        RankValueEncoder enc = new RankValueEncoder(plan, new Normalization(Normalization.Path.SCIPY_SPARSE, false, 10_000), s.maxGenes(),
                s.specialTokens() ? vocab.cls() : -1, s.specialTokens() ? vocab.eos() : -1, false);
        CsrBlock block = in.readRows(0, in.nCells());
        List<JsonNode> expected = TestData.jsonl(gold.resolve("expected.jsonl"));
        int e = 0;
        for (int row = 0; row < in.nCells(); row++) {
            if (in.obs().column("filter_pass").asDouble(row) != 1) continue;
            int[] t = enc.encode(block, row, in.obs().column("n_counts").asDouble(row), "c" + row);
            assertArrayEquals(TestData.ints(expected.get(e++).get("input_ids")), t);
        }
        assertEquals(expected.size(), e);
    }
}
