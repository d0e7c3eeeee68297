package org.geneformer4j.embed;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.engine.ModelInputs;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tokenize.Tokenizer;
import org.geneformer4j.tokenize.TokenizerSettings;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.Choices;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * One {@code geneformer embed}: checks every output it will write, tokenizes raw counts for the model into a scratch
 * dataset beside the output, runs the {@link EmbeddingExtractor} on the session's workers into the output's sink, and
 * draws the pictures asked for. The scratch dataset is removed whatever happens.
 */
public final class EmbedRun {
    /**
     * What the user asked for, as given: {@code embMode}, {@code summaryStat} and {@code cellStates} may be null;
     * {@code umap} lays out a matrix in 2-D for {@code --plot umap}; {@code model} is the model as named (never
     * overwritten), {@code where} the devices and precision as the log names them.
     */
    public record Job(Path input, Path output, String format, boolean overwrite, String embMode, int embLayer, int maxCells,
            long seed, Map<String, Set<String>> filters, List<String> labels, String summaryStat, String cellStates,
            boolean sortByLength, int batchSize, Long maxTokens, boolean packed, int attentionCells, List<String> plots,
            BiFunction<float[][], Log, float[][]> umap, boolean logMemory, String model, String where) {}

    private final Job job;
    private final Log log;

    public EmbedRun(Job job, Log log) {
        this.job = job;
        this.log = log;
    }

    public void run(Supplier<ModelSession> model) throws IOException {
        String fmt = job.format() != null ? job.format().toLowerCase(Locale.ROOT) : extension(job.output());
        if (!List.of("csv", "npy", "h5ad").contains(fmt)) {
            throw new UserException("unknown output format '" + fmt + "' (csv, npy or h5ad; give --format or an extension)");
        }
        for (String p : job.plots()) {
            if (!p.equals("umap") && !p.equals("heatmap")) {
                throw new UserException("unknown --plot '" + p + "' (umap, heatmap)");
            }
        }
        Path output = job.output();
        checkOutputs(fmt);
        if (job.batchSize() < 1 || job.maxTokens() != null && job.maxTokens() < 1) {
            throw new UserException("--batch-size and --max-tokens must be positive");
        }
        Path scratch = null;
        Throwable failure = null;
        ModelSession session = model.get();
        try {
            EmbedSettings settings = settings(session);
            // The sink is opened first: its lock keeps a second embed of the same output off the scratch dataset too.
            try (var sink = Sinks.open(output, fmt, job.overwrite())) {
                Path dataset = job.input();
                if (!Datasets.isDataset(dataset)) {
                    scratch = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".tokens");
                    tokenize(session, settings, scratch);
                    dataset = scratch;
                }
                List<Worker> workers = session.load();
                BertModel m = workers.get(0).model();
                log.info("model " + session.name() + ": " + m.config().numLayers() + " layers, hidden " + m.config().hiddenSize() + ", "
                        + session.inputs().version() + " inputs; " + settings.mode().name().toLowerCase(Locale.ROOT) + " embeddings of layer "
                        + (m.config().numLayers() + job.embLayer()) + " on " + job.where());
                EmbeddingExtractor ex = new EmbeddingExtractor(workers, session.vocab(), session.inputs().specialTokens(), settings);
                if (job.logMemory()) {
                    int[] next = {1000};
                    ex.afterBatch(done -> {
                        if (done >= next[0]) {
                            log.info("memory: cells=" + done + " rss_mb=" + residentMb());
                            next[0] = (done / 1000 + 1) * 1000;
                        }
                    });
                }
                Path ds = dataset;
                EmbeddingExtractor.Result r = ex.run(() -> Datasets.open(ds), output, sink, Progress.forStderr("embed", "cells", 0));
                log.info(String.format(Locale.ROOT, "wrote %s: %d cells in %.1f s (%.1f cells/s)", output, r.cells(), r.seconds(),
                        r.cells() / Math.max(1e-9, r.seconds())));
                if (r.halvings() > 0) {
                    log.info("embed: " + r.halvings() + " batch(es) split in two after running out of device memory;"
                            + " a smaller --max-tokens avoids the retries");
                }
                log.detail("embed: " + r.inputAllocations() + " pooled input buffers allocated");
                if (job.packed()) {
                    log.detail("embed: packed attention " + org.geneformer4j.model.PackedAttention.describe());
                }
                if (!job.plots().isEmpty()) {
                    plot(fmt);
                }
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            // the first error wins: a model or scratch folder that cannot be released after it is only suppressed
            Closing.close(session::close, failure);
            if (scratch != null) {
                Path s = scratch;
                Closing.close(() -> AtomicDirectory.deleteRecursively(s), failure);
            }
        }
    }

    /** The extraction settings: upstream's defaults for the model's version, and {@code --cell-states} as filter and label. */
    private EmbedSettings settings(ModelSession session) {
        ModelInputs inputs = session.inputs();
        EmbMode mode = job.embMode() != null ? Choices.of(EmbMode.class, job.embMode(), "--emb-mode")
                : inputs.specialTokens() ? EmbMode.CLS : EmbMode.CELL;
        EmbedSettings.SummaryStat stat = job.summaryStat() == null ? null
                : Choices.of(EmbedSettings.SummaryStat.class, job.summaryStat(), "--summary-stat");
        Map<String, Set<String>> filters = new LinkedHashMap<>(job.filters());
        List<String> labels = job.labels();
        if (job.cellStates() != null) {
            // get_state_embs: per state, the exact summary of that state's cells (after filter and max-ncells)
            CellStates cs = CellStates.parse(job.cellStates());
            if (!labels.isEmpty()) {
                throw new UserException("--cell-states and --emb-label do not go together (upstream requires emb_label=None)");
            }
            if (stat == null) {
                stat = EmbedSettings.SummaryStat.EXACT_MEAN;
            } else if (stat != EmbedSettings.SummaryStat.EXACT_MEAN && stat != EmbedSettings.SummaryStat.EXACT_MEDIAN) {
                throw new UserException("--cell-states needs --summary-stat exact_mean or exact_median");
            }
            filters.computeIfAbsent(cs.stateKey(), k -> new java.util.LinkedHashSet<>()).addAll(cs.names());
            labels = List.of(cs.stateKey());
        }
        return new EmbedSettings(mode, job.embLayer(), job.maxCells(), job.seed(), filters, labels, stat, job.sortByLength(),
                job.batchSize(), session.maxTokens(job.maxTokens()), job.attentionCells(), job.packed());
    }

    /** Raw counts tokenized for this model, carrying the label and filter columns. */
    private void tokenize(ModelSession session, EmbedSettings s, Path scratch) throws IOException {
        Map<String, String> attrs = new LinkedHashMap<>();
        s.labels().forEach(l -> attrs.put(l, l));
        s.filter().keySet().forEach(f -> attrs.put(f, f));
        ModelInputs inputs = session.inputs();
        Tokenizer t = new Tokenizer(TokenizerSettings.forVersion(inputs.version()).withInputSize(inputs.inputSize())
                .withAttributes(attrs), session.vocab(), log::info);
        t.run(List.of(job.input()), Readers.Options.DEFAULT, scratch, true, Progress.forStderr("tokenize", "cells", 0));
    }

    /** Every file this run will write may be written, before any work. */
    private void checkOutputs(String fmt) {
        Path output = job.output();
        List<Path> ins = OutputGuard.paths(job.input(), job.model());
        OutputGuard.check(output, job.overwrite(), OutputGuard.Kind.file(fmt), ins);
        String stem = stem(output);
        if (fmt.equals("npy")) {
            OutputGuard.check(output.resolveSibling(stem + ".cells.tsv"), job.overwrite(), OutputGuard.Kind.file("tsv"), ins);
        }
        for (String p : job.plots()) {
            OutputGuard.check(output.resolveSibling(stem + "." + p + ".png"), job.overwrite(), OutputGuard.Kind.file("png"), ins);
        }
        if (job.attentionCells() > 0) {
            OutputGuard.check(output.resolveSibling(stem + ".attentions.safetensors"), job.overwrite(), OutputGuard.Kind.file("safetensors"), ins);
        }
    }

    /** Pictures of what was just written; colours are the carried label columns (or state, with --cell-states). */
    private void plot(String fmt) throws IOException {
        Path output = job.output();
        EmbeddingTable t = EmbeddingTable.read(output);
        List<String> colours = new ArrayList<>(t.labels().keySet());
        if (job.plots().contains("umap")) {
            float[][] xy = job.umap().apply(t.matrix(), log);
            Path png = output.resolveSibling(stem(output) + ".umap.png");
            EmbeddingPlots.umap(t, xy, colours, png, job.overwrite());
            log.info("wrote " + png);
            if (fmt.equals("h5ad")) {
                H5adSink.rewrite(output, t, Map.of("X_umap", xy));
                log.info("added obsm/X_umap to " + output);
            }
        }
        if (job.plots().contains("heatmap")) {
            Path png = output.resolveSibling(stem(output) + ".heatmap.png");
            EmbeddingPlots.heatmap(EmbeddingPlots.sample(t, 1000, job.seed()), colours.isEmpty() ? null : colours.get(0), png, job.overwrite());
            log.info("wrote " + png);
        }
    }

    private static String stem(Path p) {
        return p.getFileName().toString().replaceFirst("\\.[^.]+$", "");
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }

    /** Resident set size from /proc (Linux), or -1. */
    static long residentMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) {
                    return Long.parseLong(line.replaceAll("\\D+", "")) / 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }
}
