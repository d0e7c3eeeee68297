package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.geneformer4j.perturb.PerturbJob;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "perturb", mixinStandardHelpOptions = true, sortOptions = false,
        description = "In silico perturbation (upstream's InSilicoPerturber), batched: every perturbation of a cell in a few forward passes.")
final class PerturbCommand implements Callable<Integer> {
    @Mixin
    ModelOptions modelOptions = new ModelOptions();

    @Mixin
    FilterOption filter;

    @Mixin
    MaxCellsOption cells = new MaxCellsOption();

    @Mixin
    SeedOption seed;

    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DATASET", description = "Tokenized dataset (geneformer tokenize).")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "DIR", description = "Output directory of part-FIRST-END.arrow (or .csv) shards and run.json; a rerun resumes.")
    Path output;

    @Option(names = "--perturb-type", defaultValue = "delete", description = "delete, overexpress, inhibit or activate. Default: ${DEFAULT-VALUE}.")
    String type;

    @Option(names = "--perturb-rank-shift", defaultValue = "1", description = "Quartiles to move a gene for inhibit/activate (1, 2 or 3). Default: ${DEFAULT-VALUE}.")
    int rankShift;

    @Option(names = "--genes", defaultValue = "all", description = "all, or Ensembl IDs / symbols perturbed together as a group. Default: ${DEFAULT-VALUE}.")
    String genes;

    @Option(names = "--combos", defaultValue = "0", description = "1: also perturb every gene together with --anchor-gene (and each alone). Default: ${DEFAULT-VALUE}.")
    int combos;

    @Option(names = "--anchor-gene", paramLabel = "GENE", description = "Ensembl ID or symbol of the anchor for --combos 1; only cells holding it are perturbed.")
    String anchorGene;

    @Option(names = "--emb-mode", description = "cls, cell, cls_and_gene or cell_and_gene (default: cls for V2 models, cell for V1).")
    String embMode;

    @Option(names = "--emb-layer", defaultValue = "-1", description = "-1: second-to-last layer, 0: last. Default: ${DEFAULT-VALUE}.")
    int embLayer;

    @Option(names = "--cell-range", paramLabel = "START:END", description = "Only cells START..END-1 of the length-sorted selection (upstream's cell_inds_to_perturb).")
    String cellRange;

    @Option(names = "--cell-states", paramLabel = "state_key=COL,start_state=A,goal_state=B[,alt_states=C;D]",
            description = "Measure shifts towards states (needs --state-embs); only start-state cells are perturbed.")
    String cellStates;

    @Option(names = "--state-embs", paramLabel = "FILE", description = "State embeddings from geneformer embed --cell-states (.csv/.npy/.h5ad).")
    Path stateEmbs;

    @Option(names = "--batch-size", defaultValue = "100", description = "Perturbed cells per forward pass at most. Default: ${DEFAULT-VALUE}.")
    int batchSize;

    @Option(names = "--max-tokens", description = "Tokens per forward pass at most (default 16384 on the CPU, 131072 on a GPU).")
    Long maxTokens;

    @Option(names = "--packed", description = "Pack each cell's original and perturbed versions end to end without padding"
            + " (variable-length attention on GPUs): the original shares the first batch, versions of different lengths share batches.")
    boolean packed;

    @Option(names = "--shard-cells", defaultValue = "100", description = "Cells per output shard (the unit of resuming). Default: ${DEFAULT-VALUE}.")
    int shardCells;

    @Option(names = "--format", defaultValue = "arrow",
            description = "Shard format: arrow (Arrow IPC file = Feather v2: pandas.read_feather, R arrow::read_feather) or csv. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() {
        new PerturbJob(input, output, type, rankShift, genes, combos, anchorGene, embMode, embLayer, filter.map(), cells.maxCells,
                seed.seed, cellRange, cellStates, stateEmbs, batchSize, maxTokens, packed, shardCells, format, modelOptions.model,
                modelOptions.deviceNames()).run(modelOptions::open, Main.log());
        return 0;
    }
}
