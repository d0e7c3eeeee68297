package org.geneformer4j.fuzz;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.TokenRows;
import org.geneformer4j.counts.CellMatrixReader;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.checkpoint.TorchCheckpoint;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Mutated real fixtures through every reader of untrusted bytes (see {@link Fuzz} for the rule). Seeded, so a run is
 * reproducible and a failure is reported with its mutation; the tries are sized to keep the whole class near a
 * minute on two cores.
 */
class ReaderFuzzTest {
    private static final String SEED = "14";
    private static final Path DIR;
    private static final AtomicInteger SERIAL = new AtomicInteger();

    static {
        try {
            DIR = Files.createTempDirectory("gf4j-fuzz");
        } catch (IOException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    @Provide
    Arbitrary<List<Mutation>> damage() {
        return Fuzz.mutations();
    }

    /** A fresh folder per input: a reader that kept a file mapped never sees it rewritten. */
    private static Path fresh() throws IOException {
        return Files.createDirectory(DIR.resolve("t" + SERIAL.incrementAndGet()));
    }

    @AfterContainer
    static void report() throws IOException {
        System.out.print(Fuzz.summary());
        AtomicDirectory.deleteRecursively(DIR);
    }

    static final byte[] SAFETENSORS = Fuzz.fixture("fixtures/model/tiny_v2.expected.safetensors");
    private static final byte[] CONFIG = Fuzz.fixture("fixtures/model/tiny_v2/config.json");
    private static final byte[] H5AD = Fuzz.fixture("fixtures/symbols_only.h5ad");
    private static final byte[] TENX_H5 = Fuzz.fixture("data/scanpy_10x/1.2.0/filtered_gene_bc_matrices_h5.h5");
    static final String MTX_DIR = "data/scanpy_10x/1.2.0/filtered_gene_bc_matrices/hg19_chr21/";
    static final String[] MTX_FILES = {"matrix.mtx", "genes.tsv", "barcodes.tsv"};
    static final byte[][] MTX = {Fuzz.fixture(MTX_DIR + MTX_FILES[0]), Fuzz.fixture(MTX_DIR + MTX_FILES[1]),
            Fuzz.fixture(MTX_DIR + MTX_FILES[2])};
    static final byte[] ARROW = Fuzz.fixture("fixtures/python_written.dataset/data-00000-of-00002.arrow");
    private static final byte[] LOOM = Fuzz.fixture("fixtures/pbmc68k.loom");
    private static final byte[] TORCH = Fuzz.fixture("fixtures/model/tiny_cls_bin/pytorch_model.bin");
    private static final byte[] PARQUET = Fuzz.fixture("fixtures/genecorpus_500_samples.parquet");

    @Property(tries = 1000, seed = SEED)
    void safetensors(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "model.safetensors", Fuzz.mutate(SAFETENSORS, m));
        Fuzz.expectCleanOutcome("safetensors", m, () -> SafeTensors.read(f));
    }

    @Property(tries = 1000, seed = SEED)
    void configJson(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "config.json", Fuzz.mutate(CONFIG, m));
        Fuzz.expectCleanOutcome("config.json", m, () -> BertConfig.read(f));
    }

    /** A whole read: genes, cells and every row of the matrix. */
    static void readCells(Path p) throws IOException {
        try (CellMatrixReader r = Readers.open(p, Readers.Options.DEFAULT)) {
            r.geneIds(null, new ArrayList<>());
            r.obs().index();
            if (r.nCells() > 0) {
                r.readRows(0, r.nCells());
            }
        }
    }

    @Property(tries = 350, seed = SEED)
    void h5ad(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "cells.h5ad", Fuzz.mutate(H5AD, m));
        Fuzz.expectCleanOutcome("h5ad", m, () -> readCells(f));
    }

    @Property(tries = 200, seed = SEED)
    void tenxH5(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "cells.h5", Fuzz.mutate(TENX_H5, m));
        Fuzz.expectCleanOutcome("10x h5", m, () -> readCells(f));
    }

    @Property(tries = 100, seed = SEED)
    void loom(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "cells.loom", Fuzz.mutate(LOOM, m));
        Fuzz.expectCleanOutcome("loom", m, () -> readCells(f));
    }

    @Property(tries = 300, seed = SEED)
    void torchPickle(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "pytorch_model.bin", Fuzz.mutate(TORCH, m));
        Fuzz.expectCleanOutcome("torch pickle", m, () -> TorchCheckpoint.read(f));
    }

    @Property(tries = 150, seed = SEED)
    void parquet(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "cells.parquet", Fuzz.mutate(PARQUET, m));
        Fuzz.expectCleanOutcome("parquet", m, () -> {
            try (DatasetReader r = Datasets.open(f)) {
                r.columns();
                while (r.hasNext()) r.next();
            }
        });
    }

    @Property(tries = 600, seed = SEED)
    void tenxMtx(@ForAll("damage") List<Mutation> m) throws IOException {
        Path dir = fresh();
        int which = Math.floorMod(m.get(0).value() >>> 3, MTX.length); // one of the three files is damaged
        for (int i = 0; i < MTX.length; i++) {
            Fuzz.write(dir, MTX_FILES[i], i == which ? Fuzz.mutate(MTX[i], m) : MTX[i]);
        }
        Fuzz.expectCleanOutcome("10x mtx", which + ":" + m, () -> readCells(dir));
    }

    @Property(tries = 1000, seed = SEED)
    void arrowIpc(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "data.arrow", Fuzz.mutate(ARROW, m));
        Fuzz.expectCleanOutcome("arrow ipc", m, () -> {
            try (DatasetReader r = Datasets.open(f)) {
                r.columns();
                while (r.hasNext()) r.next();
            }
        });
    }

    /** Random access by row, as pretraining reads its corpus: every row's tokens, last row first. */
    @Property(tries = 600, seed = SEED)
    void arrowIpcByRow(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "data.arrow", Fuzz.mutate(ARROW, m));
        Fuzz.expectCleanOutcome("arrow ipc by row", m, () -> readEveryRow(f));
    }

    @Property(tries = 300, seed = SEED)
    void parquetByRow(@ForAll("damage") List<Mutation> m) throws IOException {
        Path f = Fuzz.write(fresh(), "cells.parquet", Fuzz.mutate(PARQUET, m));
        Fuzz.expectCleanOutcome("parquet by row", m, () -> readEveryRow(f));
    }

    private static void readEveryRow(Path f) {
        try (TokenRows rows = Datasets.tokenRows(List.of(f))) {
            for (int r = rows.size() - 1; r >= 0; r--) {
                rows.tokens(r);
            }
        }
    }

    static final byte[] TOKENS, MEDIANS, TOKENS_JSON;

    static {
        GeneVocabulary v = GeneVocabulary.builtin("gc104M");
        StringBuilder t = new StringBuilder(), md = new StringBuilder(), j = new StringBuilder("{");
        for (int i = 0; i < 40; i++) {
            String id = v.tokenName(i);
            t.append(id).append('\t').append(i).append('\n');
            j.append(i == 0 ? "" : ", ").append('"').append(id).append("\": ").append(i);
            if (id.startsWith("ENSG")) md.append(id).append('\t').append(1.5 + i).append('\n');
        }
        TOKENS = t.toString().getBytes(StandardCharsets.UTF_8);
        MEDIANS = md.toString().getBytes(StandardCharsets.UTF_8);
        TOKENS_JSON = j.append('}').toString().getBytes(StandardCharsets.UTF_8);
    }

    @Property(tries = 500, seed = SEED)
    void dictionaryTsv(@ForAll("damage") List<Mutation> m) throws IOException {
        Path dir = fresh();
        Path tokens = Fuzz.write(dir, "tokens.tsv", Fuzz.mutate(TOKENS, m));
        Path medians = Fuzz.write(dir, "medians.tsv", MEDIANS);
        Fuzz.expectCleanOutcome("dictionary tsv", m, () -> GeneVocabulary.load(tokens, medians, null));
    }

    @Property(tries = 500, seed = SEED)
    void dictionaryJson(@ForAll("damage") List<Mutation> m) throws IOException {
        Path dir = fresh();
        Path tokens = Fuzz.write(dir, "tokens.json", Fuzz.mutate(TOKENS_JSON, m));
        Path medians = Fuzz.write(dir, "medians.tsv", MEDIANS);
        Fuzz.expectCleanOutcome("dictionary json", m, () -> GeneVocabulary.load(tokens, medians, null));
    }
}
