package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.bytedeco.pytorch.Device;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.embed.ModelInputs;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.perturb.PerturbMode;
import org.geneformer4j.perturb.PerturbRun;
import org.geneformer4j.perturb.PerturbSettings;
import org.geneformer4j.perturb.PerturbType;
import org.geneformer4j.perturb.RunInfo;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "perturb", mixinStandardHelpOptions = true, sortOptions = false,
        description = "In silico perturbation (upstream's InSilicoPerturber), batched: every perturbation of a cell in a few forward passes.")
final class PerturbCommand implements Callable<Integer> {
    @picocli.CommandLine.Mixin
    ModelOptions modelOptions = new ModelOptions();

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

    @Option(names = "--filter", paramLabel = "COLUMN=VALUE[,VALUE]", description = "Keep cells whose COLUMN is one of the values. Repeatable.")
    List<String> filters = new ArrayList<>();

    @Option(names = "--max-ncells", defaultValue = "0", description = "Perturb at most this many cells, sampled with --seed (0 = all). Default: ${DEFAULT-VALUE}.")
    int maxCells;

    @Option(names = "--seed", defaultValue = "42", description = "Seed of the --max-ncells sample. Default: ${DEFAULT-VALUE}.")
    long seed;

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

    @Option(names = "--shard-cells", defaultValue = "100", description = "Cells per output shard (the unit of resuming). Default: ${DEFAULT-VALUE}.")
    int shardCells;

    @Option(names = "--format", defaultValue = "arrow",
            description = "Shard format: arrow (Arrow IPC file = Feather v2: pandas.read_feather, R arrow::read_feather) or csv. Default: ${DEFAULT-VALUE}.")
    String format;

    @Override
    public Integer call() {
        PerturbType pt = EmbedCommand.choice(PerturbType.class, type, "--perturb-type");
        if ((pt == PerturbType.INHIBIT || pt == PerturbType.ACTIVATE) && (rankShift < 1 || rankShift > 3)) {
            throw new UserException("--perturb-rank-shift must be 1, 2 or 3");
        }
        if (!EmbedCommand.isDataset(input)) {
            throw new UserException(input + " is not a tokenized dataset: run geneformer tokenize first");
        }
        if (combos != 0 && combos != 1) {
            throw new UserException("--combos must be 0 or 1");
        }
        if ((combos == 1) != (anchorGene != null)) {
            throw new UserException("--combos 1 and --anchor-gene go together (for one gene's effect on the others use --genes GENE --emb-mode cls_and_gene)");
        }
        if (combos == 1 && (!genes.equalsIgnoreCase("all") || cellStates != null || pt == PerturbType.INHIBIT || pt == PerturbType.ACTIVATE)) {
            throw new UserException("--combos 1 pairs the anchor with every gene: it takes --genes all, delete or overexpress, and no --cell-states");
        }
        if (!format.equals("arrow") && !format.equals("csv")) {
            throw new UserException("--format must be arrow or csv, not '" + format + "'");
        }
        if (batchSize < 1 || shardCells < 1) {
            throw new UserException("--batch-size and --shard-cells must be positive");
        }
        Device dev = modelOptions.deviceList().get(0);
        modelOptions.scalarType(); // refuses a precision the device cannot run before anything is loaded
        ModelOptions.Resolved resolved = modelOptions.resolve();
        ModelInputs inputs = resolved.inputs();
        GeneVocabulary vocab = resolved.vocab();
        PerturbMode mode = embMode != null ? EmbedCommand.choice(PerturbMode.class, embMode, "--emb-mode")
                : inputs.specialTokens() ? PerturbMode.CLS : PerturbMode.CELL;
        int[] geneTokens = genes.equalsIgnoreCase("all") ? new int[0] : tokens(vocab, genes);
        int anchor = anchorGene == null ? -1 : tokens(vocab, anchorGene)[0];
        Map<String, List<String>> f = new LinkedHashMap<>();
        EmbedCommand.parseFilters(filters).forEach((k, v) -> f.put(k, new ArrayList<>(v)));
        Map<String, float[]> states = new LinkedHashMap<>();
        RunInfo.States stateInfo = null;
        if (cellStates != null) {
            CellStates cs = CellStates.parse(cellStates);
            if (stateEmbs == null) {
                throw new UserException("--cell-states needs --state-embs (from geneformer embed --cell-states)");
            }
            EmbeddingTable t = EmbeddingTable.read(stateEmbs);
            for (String n : cs.names()) {
                int row = java.util.Arrays.asList(t.ids()).indexOf(n);
                if (row < 0) {
                    throw new UserException(stateEmbs + " has no embedding for state '" + n + "' (rows: " + String.join(", ", t.ids()) + ")");
                }
                states.put(n, t.matrix()[row]);
            }
            f.put(cs.stateKey(), List.of(cs.startState()));
            stateInfo = new RunInfo.States(cs.stateKey(), cs.startState(), cs.goalState(), cs.altStates());
        }
        int start = 0;
        int end = -1;
        if (cellRange != null) {
            String[] p = cellRange.split(":", -1);
            try {
                start = p[0].isEmpty() ? 0 : Integer.parseInt(p[0]);
                end = p.length < 2 || p[1].isEmpty() ? -1 : Integer.parseInt(p[1]);
            } catch (NumberFormatException e) {
                throw new UserException("--cell-range expects START:END, not '" + cellRange + "'");
            }
        }
        long cap = maxTokens != null ? maxTokens : dev.is_cpu() ? 16384 : 131072;
        PerturbSettings s = new PerturbSettings(pt, rankShift, geneTokens, anchor, combos, mode, embLayer, f, maxCells, seed, start, end,
                states, batchSize, cap, shardCells);
        List<String> geneIds = new ArrayList<>();
        for (int t : geneTokens) {
            geneIds.add(vocab.tokenName(t));
        }
        RunInfo info = new RunInfo(modelOptions.model, vocab.name(), pt.name().toLowerCase(Locale.ROOT),
                pt == PerturbType.INHIBIT || pt == PerturbType.ACTIVATE ? rankShift : 0, geneIds,
                anchor < 0 ? null : vocab.tokenName(anchor), combos, mode.name().toLowerCase(Locale.ROOT), embLayer, stateInfo,
                filters, maxCells, seed, format, RunInfo.Input.of(input), RunInfo.modelDigests(resolved.checkpoint().weightsFile()));
        List<BertModel> models = List.of();
        Throwable failure = null;
        try {
            models = modelOptions.load(resolved.checkpoint());
            BertModel m = models.get(0);
            Main.info("perturb: " + pt.name().toLowerCase(Locale.ROOT) + " " + (geneTokens.length == 0 ? "every gene" : genes)
                    + ", " + mode.name().toLowerCase(Locale.ROOT) + " embeddings of layer " + (m.config().numLayers() + embLayer)
                    + (states.isEmpty() ? "" : ", shifts towards " + String.join(", ", states.keySet()))
                    + (models.size() > 1 ? ", " + models.size() + " workers (" + modelOptions.deviceNames() + ")" : ""));
            PerturbRun.Summary r = new PerturbRun(s, vocab, format).run(() -> Datasets.open(input), models, info, output,
                    Progress.forStderr("perturb", "cells", 0));
            Main.info(String.format(Locale.ROOT, "wrote %s: %d cells, %,d perturbations in %.1f s (%.1f perturbations/s); %d shards written, %d already there",
                    output, r.cells(), r.perturbations(), r.seconds(), r.perturbations() / Math.max(1e-9, r.seconds()), r.shardsWritten(), r.shardsSkipped()));
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            for (BertModel m : models) Closing.close(m::close, failure); // the first error wins
        }
        return 0;
    }

    static int[] tokens(GeneVocabulary vocab, String list) {
        List<Integer> out = new ArrayList<>();
        for (String g : list.split(",")) {
            String key = g.trim();
            String id = key.toUpperCase(Locale.ROOT).startsWith("ENS") ? key : vocab.idOfSymbol(key);
            int t = id == null ? -1 : vocab.tokenOf(id);
            if (t < 0) {
                throw new UserException("gene '" + key + "' is not in the " + vocab.name() + " vocabulary");
            }
            out.add(t);
        }
        return out.stream().mapToInt(i -> i).toArray();
    }
}
