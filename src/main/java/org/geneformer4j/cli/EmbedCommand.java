package org.geneformer4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Device;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.embed.EmbMode;
import org.geneformer4j.embed.EmbedSettings;
import org.geneformer4j.embed.EmbeddingExtractor;
import org.geneformer4j.embed.ModelInputs;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.embed.H5adSink;
import org.geneformer4j.embed.Sinks;
import org.geneformer4j.plot.Heatmap;
import org.geneformer4j.io.Readers;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tokenize.Tokenizer;
import org.geneformer4j.tokenize.TokenizerSettings;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cell, CLS or gene embeddings, as upstream's EmbExtractor.",
                "INPUT is a tokenized dataset, or raw counts (.h5ad, .loom, 10x) tokenized on the fly for the model.",
                "OUTPUT format by extension or --format: .csv (id, 0..H-1, labels), .npy (+ NAME.cells.tsv) or .h5ad (obsm[\"X_geneformer\"])."})
final class EmbedCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "INPUT", description = "Tokenized dataset, or raw .h5ad/.loom/10x input.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "OUTPUT", description = "Output file (.csv, .npy or .h5ad).")
    Path output;

    @Option(names = "--format", description = "csv, npy or h5ad (default: from the output's extension).")
    String format;

    @Option(names = "--emb-mode", description = "cls, cell or gene (default: cls for V2 models, cell for V1, as upstream).")
    String embMode;

    @Option(names = "--emb-layer", defaultValue = "-1", description = "-1: second-to-last layer (upstream's default), 0: last layer. Default: ${DEFAULT-VALUE}.")
    int embLayer;

    @Option(names = "--max-ncells", defaultValue = "1000", description = "Embed at most this many cells, sampled with --seed (0 = all). Default: ${DEFAULT-VALUE} (upstream's).")
    int maxNcells;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the --max-ncells sample. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Option(names = "--filter", paramLabel = "COLUMN=VALUE[,VALUE]", description = "Keep cells whose COLUMN is one of the values (upstream's filter_data). Repeatable.")
    List<String> filters = List.of();

    @Option(names = "--emb-label", split = ",", paramLabel = "COLUMN", description = "Dataset columns to carry into the output.")
    List<String> embLabels = List.of();

    @Option(names = "--summary-stat", description = "mean, median, exact_mean or exact_median over cells (per value of the first --emb-label).")
    String summaryStat;

    @Option(names = "--cell-states", paramLabel = "state_key=COL,start_state=A,goal_state=B[,alt_states=C;D]",
            description = "State embeddings as upstream's get_state_embs: the exact mean (or --summary-stat exact_median) of the cells of each state, one row per state.")
    String cellStates;

    @Option(names = "--sort-by-length", description = "Write rows longest cell first (upstream's order) instead of input order.")
    boolean sortByLength;

    @Option(names = "--batch-size", defaultValue = "100", description = "Cells per forward pass (upstream's forward_batch_size). Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-tokens", description = "Padded tokens per forward pass at most (default 16384 on the CPU, where"
            + " activations that stay in cache beat big batches; 131072 on a GPU).")
    Long maxTokens;

    @Option(names = "--packed", description = "Concatenate each batch's cells without padding (variable-length attention"
            + " kernels on GPUs, cell by cell on the CPU): the same embeddings without the padded tokens' work;"
            + " --max-tokens then counts real tokens.")
    boolean packed;

    @Option(names = "--log-memory", hidden = true, description = "Log resident memory every 1,000 cells (for the memory check).")
    boolean logMemory;

    @Option(names = "--output-attentions", defaultValue = "0", paramLabel = "N", description = "Also write attention weights (every layer and head) of the first N output cells to OUTPUT_STEM.attentions.safetensors.")
    int attentionCells;

    @Option(names = "--overwrite", description = "Replace the output if it exists.")
    boolean overwrite;

    @Option(names = "--plot", split = ",", paramLabel = "umap|heatmap", description = "Also draw the embeddings, coloured by the"
            + " --emb-label columns: OUTPUT_STEM.umap.png and/or OUTPUT_STEM.heatmap.png. With .h5ad output the UMAP"
            + " is stored as obsm/X_umap.")
    List<String> plots = List.of();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "UMAP (with --plot umap)%n")
    PlotCommand.UmapOptions umap = new PlotCommand.UmapOptions();

    @Override
    public Integer call() throws IOException {
        String fmt = format != null ? format.toLowerCase(Locale.ROOT) : extension(output);
        if (!List.of("csv", "npy", "h5ad").contains(fmt)) {
            throw new UserException("unknown output format '" + fmt + "' (csv, npy or h5ad; give --format or an extension)");
        }
        for (String p : plots) {
            if (!p.equals("umap") && !p.equals("heatmap")) {
                throw new UserException("unknown --plot '" + p + "' (umap, heatmap)");
            }
        }
        checkOutputs(fmt);
        Device dev = modelOptions.deviceList().get(0);
        long tokenCap = maxTokens != null ? maxTokens : dev.is_cpu() ? 16384 : 131072;
        if (batchSize < 1 || tokenCap < 1) {
            throw new UserException("--batch-size and --max-tokens must be positive");
        }
        modelOptions.scalarType(); // refuses a precision the device cannot run before anything is loaded
        ModelOptions.Resolved resolved = modelOptions.resolve();
        ModelInputs inputs = resolved.inputs();
        GeneVocabulary vocab = resolved.vocab();
        EmbMode mode = embMode != null ? choice(EmbMode.class, embMode, "--emb-mode")
                : inputs.specialTokens() ? EmbMode.CLS : EmbMode.CELL;
        EmbedSettings.SummaryStat stat = summaryStat == null ? null : choice(EmbedSettings.SummaryStat.class, summaryStat, "--summary-stat");
        if (cellStates != null) {
            // get_state_embs: per state, the exact summary of that state's cells (after filter and max-ncells)
            CellStates cs = CellStates.parse(cellStates);
            if (!embLabels.isEmpty()) {
                throw new UserException("--cell-states and --emb-label do not go together (upstream requires emb_label=None)");
            }
            if (stat == null) {
                stat = EmbedSettings.SummaryStat.EXACT_MEAN;
            } else if (stat != EmbedSettings.SummaryStat.EXACT_MEAN && stat != EmbedSettings.SummaryStat.EXACT_MEDIAN) {
                throw new UserException("--cell-states needs --summary-stat exact_mean or exact_median");
            }
            filters = new java.util.ArrayList<>(filters);
            filters.add(cs.stateKey() + "=" + String.join(",", cs.names()));
            embLabels = List.of(cs.stateKey());
        }
        EmbedSettings settings = new EmbedSettings(mode, embLayer, maxNcells, seed, parseFilters(filters), embLabels,
                stat,
                sortByLength, batchSize, tokenCap, attentionCells, packed);

        Path dataset = input;
        Path scratch = null;
        List<BertModel> workers = List.of();
        Throwable failure = null;
        // The sink is opened first: its lock keeps a second embed of the same output off the scratch dataset too.
        try (var sink = Sinks.open(output, fmt, overwrite)) {
            if (!isDataset(input)) {
                // Raw counts: tokenize for this model into a scratch dataset beside the output, removed afterwards.
                scratch = output.toAbsolutePath().resolveSibling("." + output.getFileName() + ".tokens");
                Tokenizer t = new Tokenizer(TokenizerSettings.forVersion(inputs.version()).withInputSize(inputs.inputSize())
                        .withAttributes(attrsFor(embLabels, filters)), vocab, Main::info);
                t.run(List.of(input), Readers.Options.DEFAULT, scratch, true, Progress.forStderr("tokenize", "cells", 0));
                dataset = scratch;
            }
            workers = modelOptions.load(resolved.checkpoint());
            BertModel m = workers.get(0);
            Main.info("model " + resolved.name() + ": " + m.config().numLayers()
                    + " layers, hidden " + m.config().hiddenSize() + ", " + inputs.version() + " inputs; " + mode.name().toLowerCase(Locale.ROOT)
                    + " embeddings of layer " + (m.config().numLayers() + embLayer) + " on " + modelOptions.deviceNames() + " (" + modelOptions.dtype + ")");
            EmbeddingExtractor ex = new EmbeddingExtractor(workers, vocab, inputs.specialTokens(), settings);
            if (logMemory) {
                int[] next = {1000};
                ex.afterBatch(done -> {
                    if (done >= next[0]) {
                        Main.info("memory: cells=" + done + " rss_mb=" + residentMb());
                        next[0] = (done / 1000 + 1) * 1000;
                    }
                });
            }
            Path ds = dataset;
            Progress progress = Progress.forStderr("embed", "cells", 0);
            EmbeddingExtractor.Result r = ex.run(() -> Datasets.open(ds), output, sink, progress);
            Main.info(String.format(Locale.ROOT, "wrote %s: %d cells in %.1f s (%.1f cells/s)", output, r.cells(), r.seconds(),
                    r.cells() / Math.max(1e-9, r.seconds())));
            if (r.halvings() > 0) {
                Main.info("embed: " + r.halvings() + " batch(es) split in two after running out of device memory;"
                        + " a smaller --max-tokens avoids the retries");
            }
            if (Main.verbose) {
                Main.info("embed: " + r.inputAllocations() + " pooled input buffers allocated");
                if (packed) {
                    Main.info("embed: packed attention " + org.geneformer4j.model.PackedAttention.describe());
                }
            }
            if (!plots.isEmpty()) {
                plot(fmt);
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            // the first error wins: a model or scratch folder that cannot be released after it is only suppressed
            for (BertModel w : workers) Closing.close(w::close, failure);
            if (scratch != null) {
                Path s = scratch;
                Closing.close(() -> AtomicDirectory.deleteRecursively(s), failure);
            }
        }
        return 0;
    }

    /** Every file this run will write may be written, before any work. */
    private void checkOutputs(String fmt) {
        List<Path> ins = OutputGuard.paths(input, modelOptions.model);
        OutputGuard.check(output, overwrite, OutputGuard.Kind.file(fmt), ins);
        String stem = output.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        if (fmt.equals("npy")) {
            OutputGuard.check(output.resolveSibling(stem + ".cells.tsv"), overwrite, OutputGuard.Kind.file("tsv"), ins);
        }
        for (String p : plots) {
            OutputGuard.check(output.resolveSibling(stem + "." + p + ".png"), overwrite, OutputGuard.Kind.file("png"), ins);
        }
        if (attentionCells > 0) {
            OutputGuard.check(output.resolveSibling(stem + ".attentions.safetensors"), overwrite, OutputGuard.Kind.file("safetensors"), ins);
        }
    }

    /** Pictures of what was just written; colours are the carried label columns (or state, with --cell-states). */
    private void plot(String fmt) throws IOException {
        EmbeddingTable t = EmbeddingTable.read(output);
        String stem = output.getFileName().toString().replaceFirst("\\.[^.]+$", "");
        List<String> colours = new java.util.ArrayList<>(t.labels().keySet());
        if (plots.contains("umap")) {
            float[][] xy = umap.layout(t.matrix());
            PlotCommand.draw(t, xy, colours, output.resolveSibling(stem + ".umap.png"), overwrite);
            if (fmt.equals("h5ad")) {
                H5adSink.rewrite(output, t, Map.of("X_umap", xy));
                Main.info("added obsm/X_umap to " + output);
            }
        }
        if (plots.contains("heatmap")) {
            EmbeddingTable s = PlotCommand.sample(t, 1000, seed);
            Path png = output.resolveSibling(stem + ".heatmap.png");
            String colour = colours.isEmpty() ? null : colours.get(0);
            new Heatmap(s.matrix(), colour, colour == null ? null : s.label(colour), "embedding dimensions").write(png, overwrite);
            Main.info("wrote " + png);
        }
    }

    /** The enum constant named {@code value} (any case), or one error line listing the choices. */
    static <E extends Enum<E>> E choice(Class<E> type, String value, String option) {
        for (E e : type.getEnumConstants()) {
            if (e.name().equalsIgnoreCase(value)) {
                return e;
            }
        }
        throw new UserException("unknown " + option + " '" + value + "' (" + java.util.Arrays.stream(type.getEnumConstants())
                .map(e -> e.name().toLowerCase(Locale.ROOT)).collect(java.util.stream.Collectors.joining(", ")) + ")");
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

    static boolean isDataset(Path p) {
        String name = p.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(p)) {
            return Files.exists(p.resolve("state.json")) || Files.exists(p.resolve("dataset_info.json"));
        }
        return name.endsWith(".arrow") || name.endsWith(".parquet");
    }

    private static Map<String, String> attrsFor(List<String> labels, List<String> filters) {
        Map<String, String> m = new LinkedHashMap<>();
        labels.forEach(l -> m.put(l, l));
        parseFilters(filters).keySet().forEach(f -> m.put(f, f));
        return m;
    }

    static Map<String, Set<String>> parseFilters(List<String> specs) {
        Map<String, Set<String>> m = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.indexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new UserException("--filter expects COLUMN=VALUE[,VALUE], not '" + spec + "'");
            }
            m.computeIfAbsent(spec.substring(0, eq), k -> new LinkedHashSet<>()).addAll(List.of(spec.substring(eq + 1).split(",")));
        }
        return m;
    }

    private static String extension(Path p) {
        String n = p.getFileName().toString();
        int dot = n.lastIndexOf('.');
        return dot < 0 ? "" : n.substring(dot + 1).toLowerCase(Locale.ROOT);
    }
}
