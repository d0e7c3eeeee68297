package org.geneformer4j.projection;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.geneformer4j.TestData;
import org.geneformer4j.counts.CellMatrixReader;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.counts.Readers;
import org.junit.jupiter.api.Test;

/**
 * UMAP on real cells (pbmc3k_hvg2000, 2,638 PBMCs, 9 types): log1p(CP10k), PCA-50, then the 2-D layout must keep
 * neighbourhoods (trustworthiness at k=15 >= 0.90) and cell types (15-NN label accuracy within 0.03 of 50-D).
 */
class UmapQualityTest {
    @Test
    void layoutKeepsNeighbourhoodsAndCellTypes() throws Exception {
        float[][] x;
        String[] labels;
        try (CellMatrixReader r = Readers.open(TestData.resource("data/pbmc3k/pbmc3k_hvg2000_clustifyr.h5ad"), Readers.Options.DEFAULT)) {
            int n = r.nCells();
            int d = r.nGenes();
            x = new float[n][d];
            CsrBlock b = r.readRows(0, n);
            for (int i = 0; i < n; i++) {
                double total = 0;
                for (int p = b.indptr()[i]; p < b.indptr()[i + 1]; p++) {
                    total += b.values()[p];
                }
                for (int p = b.indptr()[i]; p < b.indptr()[i + 1]; p++) {
                    x[i][b.indices()[p]] = (float) Math.log1p(b.values()[p] / total * 1e4);
                }
            }
            var col = r.obs().column("cell_type");
            labels = new String[n];
            for (int i = 0; i < n; i++) {
                labels[i] = String.valueOf(col.get(i));
            }
        }
        float[][] pcs = Pca.scores(x, 50);
        long t0 = System.nanoTime();
        float[][] y = new Umap().neighbours(15).minDist(0.5).seed(0).fit(pcs);
        double secs = (System.nanoTime() - t0) / 1e9;
        double trust = Metrics.trustworthiness(pcs, y, 15);
        double acc50 = Metrics.knnAccuracy(pcs, labels, 15);
        double acc2 = Metrics.knnAccuracy(y, labels, 15);
        System.out.printf("UMAP of %d cells in %.1f s: trustworthiness %.4f, 15-NN accuracy 2-D %.4f vs 50-D %.4f%n",
                pcs.length, secs, trust, acc2, acc50);
        assertTrue(trust >= 0.90, "trustworthiness " + trust);
        assertTrue(acc2 >= acc50 - 0.03, "2-D accuracy " + acc2 + " vs 50-D " + acc50);
    }
}
