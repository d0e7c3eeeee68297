package org.geneformer4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.util.Progress;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Real cells against scripts/fixtures/reference_tokenizer.py, a numpy implementation checked against upstream's
 * goldens: the example in every input layout, and every .h5ad of ../shared/data (when present) by per-cell digest.
 */
class ReferenceTokensTest {
    @TempDir
    Path tmp;

    private static Map<String, int[]> tokenize(Path input, Readers.Options opt, String version, int threads, Path out) throws Exception {
        TokenizerSettings s = TokenizerSettings.forVersion(version).withThreads(threads).withChunkSize(17);
        new Tokenizer(s, GeneVocabulary.builtin(s.vocabularyName()), m -> { }).run(List.of(input), opt, out, false, Progress.silent());
        Map<String, int[]> byCell = new LinkedHashMap<>();
        try (DatasetReader r = Datasets.open(out)) {
            int ids = r.columnIndex("input_ids"), cell = r.columnIndex("cell_id"), len = r.columnIndex("length");
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    int[] t = ((int[][]) b.columns()[ids])[i];
                    assertEquals(t.length, ((long[]) b.columns()[len])[i]);
                    byCell.put(((String[]) b.columns()[cell])[i], t);
                }
            }
        }
        return byCell;
    }

    @ParameterizedTest
    @ValueSource(strings = {"V1", "V2"})
    void everyLayoutGivesTheReferenceTokens(String version) throws Exception {
        List<JsonNode> expected = TestData.jsonl(TestData.resource("fixtures/pbmc68k_reference_" + version + ".jsonl"));
        Object[][] inputs = {
                {TestData.example(), Readers.Options.DEFAULT, 1},
                {TestData.example(), Readers.Options.DEFAULT, 3},
                {TestData.resource("fixtures/pbmc68k_csc.h5ad"), Readers.Options.DEFAULT, 2},
                {TestData.resource("fixtures/pbmc68k_dense.h5ad"), Readers.Options.DEFAULT, 2},
                {TestData.resource("fixtures/pbmc68k_layers.h5ad"), new Readers.Options("counts", false), 2},
                {TestData.resource("fixtures/pbmc68k_layers.h5ad"), new Readers.Options(null, true), 2},
                {TestData.resource("fixtures/pbmc68k.loom"), Readers.Options.DEFAULT, 2},
                {TestData.resource("fixtures/pbmc68k_mtx"), Readers.Options.DEFAULT, 2},
        };
        int k = 0;
        for (Object[] in : inputs) {
            Map<String, int[]> got = tokenize((Path) in[0], (Readers.Options) in[1], version, (Integer) in[2], tmp.resolve("o" + k++));
            List<String> order = new ArrayList<>(got.keySet());
            assertEquals(expected.size(), got.size(), in[0].toString());
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                assertEquals(e.get("cell_id").asText(), order.get(i), "output keeps input order");
                assertArrayEquals(TestData.ints(e.get("input_ids")), got.get(order.get(i)), in[0] + " " + order.get(i));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"V1", "V2"})
    void everySharedDatasetGivesTheReferenceTokens(String version) throws Exception {
        Optional<Path> shared = TestData.sharedData();
        assumeTrue(shared.isPresent(), "../shared/data is absent");
        Map<String, Map<String, String[]>> expected = new LinkedHashMap<>();
        for (String line : Files.readAllLines(TestData.resource("fixtures/shared_token_digests_" + version + ".tsv"))) {
            String[] f = line.split("\t");
            expected.computeIfAbsent(f[0], x -> new LinkedHashMap<>()).put(f[1], new String[] {f[2], f[3]});
        }
        List<Path> files;
        try (Stream<Path> s = Files.walk(shared.get(), 2)) {
            files = s.filter(p -> p.toString().endsWith(".h5ad")).sorted().toList();
        }
        assertEquals(expected.size(), files.size(), "one digest list per shared .h5ad");
        int k = 0;
        long truncated = 0;
        for (Path f : files) {
            String name = shared.get().relativize(f).toString();
            Map<String, String[]> want = expected.get(name);
            Map<String, int[]> got = tokenize(f, Readers.Options.DEFAULT, version, 2, tmp.resolve("s" + k++));
            assertEquals(want.size(), got.size(), name);
            for (Map.Entry<String, String[]> e : want.entrySet()) {
                int[] t = got.get(e.getKey());
                assertEquals(Integer.parseInt(e.getValue()[0]), t.length, name + " " + e.getKey());
                assertEquals(e.getValue()[1], TestData.digest(t), name + " " + e.getKey());
                if (t.length == ("V1".equals(version) ? 2048 : 4096)) truncated++;
            }
        }
        assertTrue(truncated > 0, "cellbench cells exceed the input size, so truncation is exercised");
    }
}
