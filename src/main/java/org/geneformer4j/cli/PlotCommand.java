package org.geneformer4j.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.layout.Neighbours;
import org.geneformer4j.layout.Umap;
import org.geneformer4j.metrics.ConfusionMatrix;
import org.geneformer4j.metrics.RocCurve;
import org.geneformer4j.plot.ConfusionPlot;
import org.geneformer4j.plot.Heatmap;
import org.geneformer4j.plot.RocPlot;
import org.geneformer4j.plot.ScatterPlot;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "plot", mixinStandardHelpOptions = true, description = "Pictures of embeddings and classifier results (.png or .svg).",
        subcommands = {PlotCommand.UmapPlot.class, PlotCommand.HeatmapPlot.class, PlotCommand.ConfusionPlotCommand.class,
                PlotCommand.RocPlotCommand.class, PlotCommand.CurvesPlotCommand.class})
final class PlotCommand {

    /** Options of a UMAP layout, shared with {@code embed --plot umap}. */
    static final class UmapOptions {
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

        float[][] layout(float[][] x) {
            if (neighbours < 2 || minDist < 0 || pcs < 0) {
                throw new UserException("--n-neighbors must be at least 2, --min-dist and --n-pcs not negative");
            }
            if (x.length < 3) {
                throw new UserException("a UMAP needs at least 3 cells, got " + x.length);
            }
            Neighbours.Method method = EmbedCommand.choice(Neighbours.Method.class, knn, "--knn");
            Main.info(String.format(Locale.ROOT, "UMAP of %,d cells (%d dimensions, %d PCs, %d neighbours, min_dist %s)", x.length,
                    x[0].length, Math.min(pcs, x[0].length), neighbours, minDist));
            return new Umap().pcs(pcs).neighbours(neighbours).minDist(minDist).seed(seed).method(method)
                    .fit(x, Progress.forStderr("umap", "epochs", 0));
        }
    }

    @Command(name = "umap", mixinStandardHelpOptions = true, sortOptions = false,
            description = "UMAP of cell embeddings, one panel per --color column (scanpy's sc.pl.umap as upstream draws it).")
    static final class UmapPlot implements Callable<Integer> {
        @Option(names = {"-i", "--input"}, required = true, paramLabel = "EMBEDDINGS", description = "Embeddings from geneformer embed (.csv, .npy or .h5ad).")
        Path input;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
        Path output;

        @Option(names = "--color", split = ",", paramLabel = "COLUMN", description = "Label columns to colour by, one panel each.")
        List<String> colour = List.of();

        @Option(names = "--max-ncells", defaultValue = "0", description = "Plot at most this many cells, sampled with --seed (0 = all). Default: ${DEFAULT-VALUE}.")
        int maxCells;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the --max-ncells sample. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--save-layout", paramLabel = "CSV", description = "Also write the 2-D coordinates (cell id, UMAP1, UMAP2, labels).")
        Path saveLayout;

        @picocli.CommandLine.ArgGroup(exclusive = false, heading = "Layout%n")
        UmapOptions umap = new UmapOptions();

        @Option(names = "--overwrite", description = "Replace outputs that exist.")
        boolean overwrite;

        @Override
        public Integer call() {
            checkFree(output, overwrite, true, input);
            if (saveLayout != null) {
                checkFree(saveLayout, overwrite, false, input);
            }
            EmbeddingTable t = sample(EmbeddingTable.read(input), maxCells, seed);
            colour.forEach(t::label); // fail on a missing column before the work
            float[][] xy = umap.layout(t.matrix());
            draw(t, xy, colour, output, overwrite);
            if (saveLayout != null) {
                writeLayout(t, xy, saveLayout, overwrite);
            }
            return 0;
        }
    }

    static void draw(EmbeddingTable t, float[][] xy, List<String> colour, Path output, boolean overwrite) {
        ScatterPlot p = new ScatterPlot(xy);
        for (String c : colour) {
            p.colourBy(c, t.label(c));
        }
        p.write(output, overwrite);
        Main.info("wrote " + output);
    }

    static void writeLayout(EmbeddingTable t, float[][] xy, Path path, boolean overwrite) {
        StringBuilder sb = new StringBuilder(t.idColumn()).append(",UMAP1,UMAP2");
        t.labels().keySet().forEach(k -> sb.append(',').append(Csv.quote(k)));
        sb.append('\n');
        for (int i = 0; i < xy.length; i++) {
            sb.append(Csv.quote(t.ids()[i])).append(',').append(xy[i][0]).append(',').append(xy[i][1]);
            for (String[] v : t.labels().values()) {
                sb.append(',').append(Csv.quote(v[i]));
            }
            sb.append('\n');
        }
        try (AtomicFile f = AtomicFile.create(path, overwrite)) {
            f.stream().write(sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            f.commit();
        } catch (java.io.IOException e) {
            throw new UserException(path + ": " + e.getMessage(), e);
        }
        Main.info("wrote " + path);
    }


    /**
     * Fails before any work if {@code p} may not be written ({@link OutputGuard}) or, for a picture, is not .png/.svg.
     *
     * @param input what the command reads, which is never replaced
     */
    static void checkFree(Path p, boolean overwrite, boolean picture, Path input) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (picture && !name.endsWith(".png") && !name.endsWith(".svg")) {
            throw new UserException(p + ": plots are written as .png or .svg");
        }
        OutputGuard.check(p, overwrite, OutputGuard.Kind.file(picture ? name.substring(name.lastIndexOf('.') + 1) : "csv"), List.of(input));
    }

    /** At most {@code max} rows, a seeded sample kept in file order (upstream: DataFrame.sample). */
    static EmbeddingTable sample(EmbeddingTable t, int max, long seed) {
        if (max <= 0 || t.rows() <= max) {
            return t;
        }
        int n = t.rows();
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        SplittableRandom r = new SplittableRandom(seed);
        for (int i = 0; i < max; i++) {
            int j = i + r.nextInt(n - i);
            int tmp = idx[i];
            idx[i] = idx[j];
            idx[j] = tmp;
        }
        int[] keep = java.util.Arrays.copyOf(idx, max);
        java.util.Arrays.sort(keep);
        String[] ids = new String[max];
        float[][] m = new float[max][];
        Map<String, String[]> labels = new java.util.LinkedHashMap<>();
        t.labels().keySet().forEach(k -> labels.put(k, new String[max]));
        for (int i = 0; i < max; i++) {
            ids[i] = t.ids()[keep[i]];
            m[i] = t.matrix()[keep[i]];
            for (var e : t.labels().entrySet()) {
                labels.get(e.getKey())[i] = e.getValue()[keep[i]];
            }
        }
        return new EmbeddingTable(t.idColumn(), ids, m, labels);
    }

    @Command(name = "heatmap", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Clustered heatmap of cell embeddings (upstream's seaborn clustermap: columns min-max scaled, average linkage on both axes).")
    static final class HeatmapPlot implements Callable<Integer> {
        @Option(names = {"-i", "--input"}, required = true, paramLabel = "EMBEDDINGS", description = "Embeddings from geneformer embed (.csv, .npy or .h5ad).")
        Path input;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
        Path output;

        @Option(names = "--color", paramLabel = "COLUMN", description = "Label column for the row colour bar.")
        String colour;

        @Option(names = "--max-ncells", defaultValue = "1000", description = "Cells to draw, sampled with --seed (upstream's max_ncells_to_plot). Default: ${DEFAULT-VALUE}.")
        int maxCells;

        @Option(names = "--seed", defaultValue = "42", description = "Seed of the sample. Default: ${DEFAULT-VALUE}.")
        long seed;

        @Option(names = "--overwrite", description = "Replace the output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            checkFree(output, overwrite, true, input);
            if (maxCells < 2 || maxCells > 20_000) {
                throw new UserException("--max-ncells must be between 2 and 20,000 for a clustered heatmap (memory grows with its square)");
            }
            EmbeddingTable t = sample(EmbeddingTable.read(input), maxCells, seed);
            if (t.rows() < 2) {
                throw new UserException(input + ": a heatmap needs at least 2 cells");
            }
            new Heatmap(t.matrix(), colour, colour == null ? null : t.label(colour), "embedding dimensions").write(output, overwrite);
            Main.info("wrote " + output);
            return 0;
        }
    }

    /** Predictions as geneformer predict and finetune write them: truth and predicted columns, prob_CLASS columns. */
    static final class Predictions {
        @Option(names = {"-i", "--input"}, required = true, paramLabel = "PREDICTIONS", description = "Predictions CSV (columns: the true label, the predicted label, prob_<class>).")
        Path input;

        @Option(names = "--truth", defaultValue = "label", description = "Column of true labels. Default: ${DEFAULT-VALUE}.")
        String truth;

        @Option(names = "--predicted", defaultValue = "predicted", description = "Column of predicted labels. Default: ${DEFAULT-VALUE}.")
        String predicted;

        Map<String, List<String>> read() {
            Map<String, List<String>> cols = Csv.columns(input);
            column(cols, truth);
            if (cols.get(truth).isEmpty()) {
                throw new UserException(input + ": no rows");
            }
            return cols;
        }

        List<String> column(Map<String, List<String>> cols, String name) {
            List<String> c = cols.get(name);
            if (c == null) {
                throw new UserException(input + ": no column '" + name + "' (columns: " + String.join(", ", cols.keySet()) + ")");
            }
            return c;
        }
    }

    @Command(name = "confusion", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Confusion matrix of predictions, rows normalised (upstream's plot_conf_mat).")
    static final class ConfusionPlotCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Predictions in = new Predictions();

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
        Path output;

        @Option(names = "--title", defaultValue = "Confusion matrix", description = "Title. Default: ${DEFAULT-VALUE}.")
        String title;

        @Option(names = "--overwrite", description = "Replace the output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            checkFree(output, overwrite, true, in.input);
            Map<String, List<String>> cols = in.read();
            List<String> truth = in.column(cols, in.truth);
            List<String> pred = in.column(cols, in.predicted);
            TreeSet<String> all = new TreeSet<>(truth);
            all.addAll(pred);
            List<String> classes = new ArrayList<>(all);
            int[] t = truth.stream().mapToInt(classes::indexOf).toArray();
            int[] p = pred.stream().mapToInt(classes::indexOf).toArray();
            ConfusionMatrix m = ConfusionMatrix.of(classes, t, p);
            ConfusionPlot.write(m, title, output, overwrite);
            Main.info(String.format(Locale.ROOT, "wrote %s: accuracy %.4f, macro F1 %.4f over %,d cells", output, m.accuracy(), m.macroF1(), m.total()));
            return 0;
        }
    }

    @Command(name = "curves", mixinStandardHelpOptions = true, sortOptions = false,
            description = "Training curves of a fine-tuning run (its metrics.jsonl): losses, validation accuracy and macro F1.")
    static final class CurvesPlotCommand implements Callable<Integer> {
        @Option(names = {"-i", "--input"}, required = true, paramLabel = "METRICS_JSONL", description = "metrics.jsonl of a run.")
        Path input;

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
        Path output;

        @Option(names = "--title", defaultValue = "training", description = "Title. Default: ${DEFAULT-VALUE}.")
        String title;

        @Option(names = "--overwrite", description = "Replace the output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            checkFree(output, overwrite, true, input);
            if (!java.nio.file.Files.isRegularFile(input)) {
                throw new UserException(input + " does not exist");
            }
            org.geneformer4j.train.Curves.plot(input, output, title);
            Main.info("wrote " + output);
            return 0;
        }
    }

    @Command(name = "roc", mixinStandardHelpOptions = true, sortOptions = false,
            description = "ROC curves from class probabilities: the --positive class, or every class one-vs-rest.")
    static final class RocPlotCommand implements Callable<Integer> {
        @picocli.CommandLine.Mixin
        Predictions in = new Predictions();

        @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUT", description = "Picture (.png or .svg).")
        Path output;

        @Option(names = "--positive", paramLabel = "CLASS", description = "Only this class's curve (default: the second class of a binary task, else every class).")
        String positive;

        @Option(names = "--title", defaultValue = "ROC", description = "Title. Default: ${DEFAULT-VALUE}.")
        String title;

        @Option(names = "--overwrite", description = "Replace the output if it exists.")
        boolean overwrite;

        @Override
        public Integer call() {
            checkFree(output, overwrite, true, in.input);
            Map<String, List<String>> cols = in.read();
            List<String> truth = in.column(cols, in.truth);
            List<String> classes = new ArrayList<>();
            cols.keySet().stream().filter(k -> k.startsWith("prob_")).forEach(k -> classes.add(k.substring(5)));
            if (classes.size() < 2) {
                throw new UserException(in.input + ": ROC needs class probabilities in columns prob_<class>, found " + classes.size());
            }
            List<String> chosen = positive != null ? List.of(positive) : classes.size() == 2 ? List.of(classes.get(1)) : classes;
            List<RocCurve> curves = new ArrayList<>();
            for (String cls : chosen) {
                List<String> prob = in.column(cols, "prob_" + cls);
                double[] score = new double[truth.size()];
                boolean[] pos = new boolean[truth.size()];
                for (int i = 0; i < score.length; i++) {
                    try {
                        score[i] = Double.parseDouble(prob.get(i));
                    } catch (NumberFormatException e) {
                        throw new UserException(in.input + ": prob_" + cls + " row " + (i + 1) + " is not a number: '" + prob.get(i) + "'");
                    }
                    pos[i] = truth.get(i).equals(cls);
                }
                try {
                    curves.add(RocCurve.of(score, pos));
                } catch (IllegalArgumentException e) {
                    throw new UserException(in.input + ": class '" + cls + "': " + e.getMessage());
                }
                Main.info(String.format(Locale.ROOT, "%s: AUC %.4f", cls, curves.get(curves.size() - 1).auc()));
            }
            RocPlot.write(chosen, curves, title, output, overwrite);
            Main.info("wrote " + output);
            return 0;
        }
    }
}
