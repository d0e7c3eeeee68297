package org.geneformer4j.counts;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.TestData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The same 700 cells stored as CSR, CSC, dense, layers/counts, raw/X, loom and 10x mtx must read identically. */
class ReaderAgreementTest {
    /** Dense cells × genes from a reader, read in blocks of the given size. */
    static double[][] dense(CellMatrixReader r, int block) throws Exception {
        double[][] m = new double[r.nCells()][r.nGenes()];
        for (int s = 0; s < r.nCells(); s += block) {
            int e = Math.min(r.nCells(), s + block);
            CsrBlock b = r.readRows(s, e);
            assertEquals(s, b.firstRow());
            for (int row = 0; row < b.rows(); row++) {
                for (int k = b.indptr()[row]; k < b.indptr()[row + 1]; k++) {
                    m[s + row][b.indices()[k]] += b.values()[k];
                }
            }
        }
        return m;
    }

    static List<String> ids(CellMatrixReader r) {
        return r.geneIds(null, new ArrayList<>());
    }

    @ParameterizedTest
    @CsvSource({"fixtures/pbmc68k_csc.h5ad,,false", "fixtures/pbmc68k_dense.h5ad,,false", "fixtures/pbmc68k_layers.h5ad,counts,false",
            "fixtures/pbmc68k_layers.h5ad,,true", "fixtures/pbmc68k.loom,,false"})
    void layoutsAgreeWithCsr(String file, String layer, boolean raw) throws Exception {
        try (CellMatrixReader ref = Readers.open(TestData.example(), Readers.Options.DEFAULT);
             CellMatrixReader other = Readers.open(TestData.resource(file), new Readers.Options(layer, raw))) {
            assertEquals(ref.nCells(), other.nCells());
            assertEquals(ids(ref), ids(other));
            assertArrayEquals(ref.obs().index(), other.obs().index());
            double[][] a = dense(ref, 64);
            double[][] b = dense(other, 37);
            for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "cell " + i);
        }
    }

    @Test
    void blockReadsAcrossChunkBoundariesEqualOneWholeRead() throws Exception {
        // the example's data are stored in chunks of 2,725 values; blocks of 1, 7 and 64 rows cross them all
        try (CellMatrixReader r = Readers.open(TestData.example(), Readers.Options.DEFAULT)) {
            double[][] whole = dense(r, r.nCells());
            for (int block : new int[] {1, 7, 64}) {
                double[][] parts = dense(r, block);
                for (int i = 0; i < whole.length; i++) assertArrayEquals(whole[i], parts[i], "block " + block + " cell " + i);
            }
            double total = 0;
            for (double[] row : whole) for (double v : row) total += v;
            assertTrue(total > 100_000, "the example holds real counts");
        }
    }

    @Test
    void obsColumnsDecodeCategoricalsAndNumbers() throws Exception {
        try (CellMatrixReader r = Readers.open(TestData.example(), Readers.Options.DEFAULT)) {
            ObsColumn ct = r.obs().column("bulk_labels");
            assertEquals(ObsColumn.Kind.STRING, ct.kind());
            assertEquals("CD14+ Monocyte", ct.asString(0));
            assertTrue(r.obs().column("n_counts").isNumeric());
            assertEquals("ENSG00000188290", r.var().column("ensembl_id").asString(0));
        }
    }

    @Test
    void tenxMtxDirectoryMatchesTheH5adOfTheSameCells() throws Exception {
        Path mtx = TestData.resource("fixtures/pbmc68k_mtx");
        try (CellMatrixReader ref = Readers.open(TestData.example(), Readers.Options.DEFAULT);
             CellMatrixReader x = Readers.open(mtx, Readers.Options.DEFAULT)) {
            assertEquals(ref.nCells(), x.nCells());
            assertEquals(ids(ref), ids(x));
            double[][] a = dense(ref, 700);
            double[][] b = dense(x, 50);
            for (int i = 0; i < a.length; i++) assertArrayEquals(a[i], b[i], "cell " + i);
        }
    }

    @ParameterizedTest
    @CsvSource({"data/scanpy_10x/1.2.0/filtered_gene_bc_matrices/hg19_chr21,data/scanpy_10x/1.2.0/filtered_gene_bc_matrices_h5.h5",
            "data/scanpy_10x/3.0.0/filtered_feature_bc_matrix,data/scanpy_10x/3.0.0/filtered_feature_bc_matrix.h5"})
    void tenxMtxAndH5ReadIdentically(String dir, String h5) throws Exception {
        try (CellMatrixReader a = Readers.open(TestData.resource(dir), Readers.Options.DEFAULT);
             CellMatrixReader b = Readers.open(TestData.resource(h5), Readers.Options.DEFAULT)) {
            assertEquals(a.nCells(), b.nCells());
            assertTrue(a.nCells() > 0);
            assertArrayEquals(a.obs().index(), b.obs().index(), "barcodes");
            assertEquals(ids(a), ids(b), "gene ids");
            for (int i = 0; i < a.var().size(); i++) {
                assertEquals(a.var().column("gene_symbols").asString(i), b.var().column("gene_symbols").asString(i));
            }
            double[][] x = dense(a, 100);
            double[][] y = dense(b, 33);
            for (int i = 0; i < x.length; i++) assertArrayEquals(x[i], y[i], "cell " + i);
        }
    }
}
