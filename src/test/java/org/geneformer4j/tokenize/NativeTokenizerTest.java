package org.geneformer4j.tokenize;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Stream;
import org.geneformer4j.TestData;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.kernel.NativeBuild;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * libgeneformer_native's CPU twin of the CUDA kernel gives the Java tokenizer's tokens, cell for cell, on every
 * input format and every dataset of ../shared/data, for V1 and V2; its buffer pool stops allocating once warm.
 * (The kernel against the twin is src/test/cpp/test_rank_encode_cuda, on a GPU.)
 */
public class NativeTokenizerTest {
    @TempDir
    Path tmp;

    @BeforeAll
    static void nativeLibraryWasBuilt() {
        NativeBuild.assumeLoadable(); // skips without cmake/c++, except in CI, where that fails
    }

    static List<Path> inputs() {
        List<Path> in = new ArrayList<>(List.of(TestData.example(), TestData.resource("fixtures/pbmc68k_csc.h5ad"),
                TestData.resource("fixtures/pbmc68k_dense.h5ad"), TestData.resource("fixtures/pbmc68k.loom"),
                TestData.resource("fixtures/pbmc68k_mtx"), TestData.resource("fixtures/symbols_only.h5ad")));
        TestData.sharedData().ifPresent(d -> {
            try (Stream<Path> s = Files.walk(d, 2)) {
                s.filter(p -> p.toString().endsWith(".h5ad")).sorted().forEach(in::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        return in;
    }

    @Test
    void theCppTwinGivesTheJavaTokensOnEveryInput() throws Exception {
        int datasets = 0;
        long cells = 0;
        for (String version : List.of("V1", "V2")) {
            TokenizerSettings s = TokenizerSettings.forVersion(version).withThreads(2).withChunkSize(300);
            GeneVocabulary vocab = GeneVocabulary.builtin(s.vocabularyName());
            for (Path in : inputs()) {
                if (version.equals("V1") && in.getFileName().toString().startsWith("symbols_only")) {
                    continue; // symbols map only through the V2 dictionary
                }
                Path java = tmp.resolve(version + "-java-" + datasets), nat = tmp.resolve(version + "-native-" + datasets);
                new Tokenizer(s, vocab, m -> { }).run(List.of(in), Readers.Options.DEFAULT, java, false, Progress.silent());
                new Tokenizer(s, vocab, m -> { }).useNative(-1).run(List.of(in), Readers.Options.DEFAULT, nat, false, Progress.silent());
                cells += assertSameTokens(java, nat, version + " " + in.getFileName());
                datasets++;
            }
        }
        assertTrue(cells > 1000, "cells compared: " + cells);
    }

    @Test
    void theBufferPoolStopsAllocatingOnceWarm() throws Exception {
        TokenizerSettings s = TokenizerSettings.forVersion("V2").withThreads(1).withChunkSize(50);
        GeneVocabulary vocab = GeneVocabulary.builtin(s.vocabularyName());
        Tokenizer once = new Tokenizer(s, vocab, m -> { }).useNative(-1);
        once.run(List.of(TestData.example()), Readers.Options.DEFAULT, tmp.resolve("a"), false, Progress.silent());
        Tokenizer four = new Tokenizer(s.withPrefixCellIds(true), vocab, m -> { }).useNative(-1); // one file four times
        four.run(Collections.nCopies(4, TestData.example()), Readers.Options.DEFAULT, tmp.resolve("b"), false, Progress.silent());
        assertTrue(once.nativeAllocations() > 0);
        // 14 blocks or 56: the same buffers, reused
        assertEquals(once.nativeAllocations(), four.nativeAllocations());
    }

    @Test
    void aBadCellIsReportedAsSuchWhileTheNextBlockIsStillInFlight() {
        // one cell a block: the bad first cell fails at collect, when the second block is already submitted
        TokenizerSettings s = TokenizerSettings.forVersion("V2").withThreads(1).withChunkSize(1);
        GeneVocabulary vocab = GeneVocabulary.builtin(s.vocabularyName());
        UserException e = assertThrows(UserException.class, () -> new Tokenizer(s, vocab, m -> { }).useNative(-1).run(
                List.of(TestData.resource("fixtures/bad_negative.h5ad")), Readers.Options.DEFAULT, tmp.resolve("bad"),
                false, Progress.silent()));
        assertTrue(e.getMessage().contains("negative"), e.getMessage());
        // the buffers of the block never collected are reported beside the error, not instead of it
        assertTrue(java.util.Arrays.stream(e.getSuppressed()).anyMatch(x -> String.valueOf(x.getMessage()).contains("still checked out")),
                java.util.Arrays.toString(e.getSuppressed()));
    }

    static long assertSameTokens(Path a, Path b, String what) {
        List<int[]> ta = tokens(a), tb = tokens(b);
        assertEquals(ta.size(), tb.size(), what);
        for (int i = 0; i < ta.size(); i++) {
            assertArrayEquals(ta.get(i), tb.get(i), what + " cell " + i);
        }
        return ta.size();
    }

    /** Every cell's tokens as text (comparable with equals), for other tests. */
    public static List<String> tokensOf(Path ds) {
        return tokens(ds).stream().map(java.util.Arrays::toString).toList();
    }

    static List<int[]> tokens(Path ds) {
        List<int[]> out = new ArrayList<>();
        try (DatasetReader r = Datasets.open(ds)) {
            TokenColumns c = TokenColumns.of(r, List.of());
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) {
                    out.add(c.tokens(b, i));
                }
            }
        }
        return out;
    }
}
