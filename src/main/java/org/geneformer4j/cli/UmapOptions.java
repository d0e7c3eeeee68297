package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.geneformer4j.embed.EmbeddingPlots;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.projection.Neighbours;
import org.geneformer4j.projection.Umap;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.metrics.RocCurve;
import org.geneformer4j.plot.ConfusionPlot;
import org.geneformer4j.plot.RocPlot;
import org.geneformer4j.util.Choices;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Options of a UMAP layout, shared with {@code embed --plot umap}. */
final class UmapOptions {
    @Option(names = "--n-pcs", defaultValue = "50", description = "Principal components before the neighbour graph (0 = none). Default: ${DEFAULT-VALUE}.")
    int pcs;

    @Option(names = "--n-neighbors", defaultValue = "15", description = "UMAP neighbourhood size, counting the cell itself. Default: ${DEFAULT-VALUE}.")
    int neighbours;

    @Option(names = "--min-dist", defaultValue = "0.5", description = "UMAP min_dist. Default: ${DEFAULT-VALUE} (scanpy's).")
    double minDist;

    @Option(names = "--knn", defaultValue = "auto", description = "Neighbour search: exact, nndescent or auto (exact up to 20,000 cells). Default: ${DEFAULT-VALUE}.")
    String knn;

    @Option(names = "--umap-seed", defaultValue = "0", description = "Seed of the layout. Default: ${DEFAULT-VALUE} (scanpy's random_state).")
    long seed;

    float[][] layout(float[][] x, org.geneformer4j.util.Log log) {
        if (neighbours < 2 || minDist < 0 || pcs < 0) {
            throw new UserException("--n-neighbors must be at least 2, --min-dist and --n-pcs not negative");
        }
        if (x.length < 3) {
            throw new UserException("a UMAP needs at least 3 cells, got " + x.length);
        }
        Neighbours.Method method = Choices.of(Neighbours.Method.class, knn, "--knn");
        log.info(String.format(Locale.ROOT, "UMAP of %,d cells (%d dimensions, %d PCs, %d neighbours, min_dist %s)", x.length,
                x[0].length, Math.min(pcs, x[0].length), neighbours, minDist));
        return new Umap().pcs(pcs).neighbours(neighbours).minDist(minDist).seed(seed).method(method)
                .fit(x, Progress.forStderr("umap", "epochs", 0));
    }
}
