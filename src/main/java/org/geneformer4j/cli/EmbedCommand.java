package org.geneformer4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.geneformer4j.embed.EmbedRun;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "embed", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Cell, CLS or gene embeddings, as upstream's EmbExtractor.",
                "INPUT is a tokenized dataset, or raw counts (.h5ad, .loom, 10x) tokenized on the fly for the model.",
                "OUTPUT format by extension or --format: .csv (id, 0..H-1, labels), .npy (+ NAME.cells.tsv) or .h5ad (obsm[\"X_geneformer\"])."})
final class EmbedCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    FilterOption filter;

    @Mixin
    MaxCellsOption cells = new MaxCellsOption(1000); // upstream's max_ncells

    @Mixin
    SeedOption seed;

    @Mixin
    OverwriteOption overwrite;

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

    @Option(names = "--plot", split = ",", paramLabel = "umap|heatmap", description = "Also draw the embeddings, coloured by the"
            + " --emb-label columns: OUTPUT_STEM.umap.png and/or OUTPUT_STEM.heatmap.png. With .h5ad output the UMAP"
            + " is stored as obsm/X_umap.")
    List<String> plots = List.of();

    @picocli.CommandLine.ArgGroup(exclusive = false, heading = "UMAP (with --plot umap)%n")
    UmapOptions umap = new UmapOptions();

    @Override
    public Integer call() throws IOException {
        EmbedRun.Job job = new EmbedRun.Job(input, output, format, overwrite.overwrite, embMode, embLayer, cells.maxCells,
                seed.seed, filter.map(), embLabels, summaryStat, cellStates, sortByLength, batchSize, maxTokens, packed,
                attentionCells, plots, umap::layout, logMemory, modelOptions.model,
                modelOptions.deviceNames() + " (" + modelOptions.precision() + ")");
        new EmbedRun(job, Main.log()).run(modelOptions::open);
        return 0;
    }
}
