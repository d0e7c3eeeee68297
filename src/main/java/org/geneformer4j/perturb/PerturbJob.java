package org.geneformer4j.perturb;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.embed.CellStates;
import org.geneformer4j.embed.EmbeddingTable;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.util.Choices;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * One {@code geneformer perturb}, from the options as given (upstream's names; {@code embMode}, {@code anchorGene},
 * {@code cellRange}, {@code cellStates} and {@code stateEmbs} may be null) to the shards of a {@link PerturbRun}.
 */
public record PerturbJob(Path input, Path output, String type, int rankShift, String genes, int combos, String anchorGene,
        String embMode, int embLayer, Map<String, Set<String>> filters, int maxCells, long seed, String cellRange,
        String cellStates, Path stateEmbs, int batchSize, Long maxTokens, boolean packed, int shardCells, String format, String model,
        String where) {

    public void run(Supplier<ModelSession> open, Log log) {
        PerturbType pt = Choices.of(PerturbType.class, type, "--perturb-type");
        if ((pt == PerturbType.INHIBIT || pt == PerturbType.ACTIVATE) && (rankShift < 1 || rankShift > 3)) {
            throw new UserException("--perturb-rank-shift must be 1, 2 or 3");
        }
        if (!Datasets.isDataset(input)) {
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
        Throwable failure = null;
        ModelSession session = open.get();
        try {
            GeneVocabulary vocab = session.vocab();
            PerturbMode mode = embMode != null ? Choices.of(PerturbMode.class, embMode, "--emb-mode")
                    : session.inputs().specialTokens() ? PerturbMode.CLS : PerturbMode.CELL;
            int[] geneTokens = genes.equalsIgnoreCase("all") ? new int[0] : tokens(vocab, genes);
            int anchor = anchorGene == null ? -1 : tokens(vocab, anchorGene)[0];
            Map<String, List<String>> f = new LinkedHashMap<>();
            filters.forEach((k, v) -> f.put(k, new ArrayList<>(v)));
            Map<String, float[]> states = new LinkedHashMap<>();
            RunInfo.States stateInfo = null;
            if (cellStates != null) {
                CellStates cs = CellStates.parse(cellStates);
                states = stateEmbeddings(cs);
                f.put(cs.stateKey(), List.of(cs.startState()));
                stateInfo = new RunInfo.States(cs.stateKey(), cs.startState(), cs.goalState(), cs.altStates());
            }
            int[] range = range();
            PerturbSettings s = new PerturbSettings(pt, rankShift, geneTokens, anchor, combos, mode, embLayer, f, maxCells, seed,
                    range[0], range[1], states, batchSize, session.maxTokens(maxTokens), shardCells, packed);
            List<String> geneIds = new ArrayList<>();
            for (int t : geneTokens) {
                geneIds.add(vocab.tokenName(t));
            }
            List<String> filterSpecs = new ArrayList<>();
            filters.forEach((k, v) -> filterSpecs.add(k + "=" + String.join(",", v)));
            RunInfo info = new RunInfo(model, vocab.name(), pt.name().toLowerCase(Locale.ROOT),
                    pt == PerturbType.INHIBIT || pt == PerturbType.ACTIVATE ? rankShift : 0, geneIds,
                    anchor < 0 ? null : vocab.tokenName(anchor), combos, mode.name().toLowerCase(Locale.ROOT), embLayer, stateInfo,
                    filterSpecs, maxCells, seed, format, RunInfo.Input.of(input), digests(session),
                    session.quantize() == org.geneformer4j.quant.Quantization.NONE ? null : session.quantize().label());
            List<Worker> workers = session.load();
            BertModel m = workers.get(0).model();
            log.info("perturb: " + pt.name().toLowerCase(Locale.ROOT) + " " + (geneTokens.length == 0 ? "every gene" : genes)
                    + ", " + mode.name().toLowerCase(Locale.ROOT) + " embeddings of layer " + (m.config().numLayers() + embLayer)
                    + (states.isEmpty() ? "" : ", shifts towards " + String.join(", ", states.keySet()))
                    + (info.quantize() == null ? "" : ", " + info.quantize() + " weights")
                    + (packed ? ", packed batches" : "")
                    + (workers.size() > 1 ? ", " + workers.size() + " workers (" + where + ")" : ""));
            PerturbRun.Summary r = new PerturbRun(s, vocab, format).run(() -> Datasets.open(input), workers, info, output,
                    Progress.forStderr("perturb", "cells", 0));
            if (packed) {
                log.detail("perturb: packed attention " + org.geneformer4j.model.PackedAttention.describe());
            }
            log.info(String.format(Locale.ROOT, "wrote %s: %d cells, %,d perturbations in %.1f s (%.1f perturbations/s); %d shards written, %d already there",
                    output, r.cells(), r.perturbations(), r.seconds(), r.perturbations() / Math.max(1e-9, r.seconds()), r.shardsWritten(), r.shardsSkipped()));
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Closing.close(session::close, failure); // the first error wins
        }
    }

    /** The model's files' digests; with a LoRA adapter, its files' too, so a resume with another adapter is refused. */
    private static Map<String, String> digests(ModelSession session) {
        Map<String, String> d = RunInfo.modelDigests(session.checkpoint().weightsFile());
        if (session.adapter() != null) {
            Map<String, String> all = new java.util.TreeMap<>(d);
            // adapter_model.safetensors, adapter_config.json and the classifier's config.json beside them
            for (String f : List.of(org.geneformer4j.quant.PeftAdapter.WEIGHTS, org.geneformer4j.quant.PeftAdapter.CONFIG)) {
                RunInfo.modelDigests(session.adapter().dir().resolve(f)).forEach((k, v) -> all.put("adapter/" + k, v));
            }
            return all;
        }
        return d;
    }

    /** The start, goal and alternative states' embeddings, by name, from {@code --state-embs}. */
    private Map<String, float[]> stateEmbeddings(CellStates cs) {
        if (stateEmbs == null) {
            throw new UserException("--cell-states needs --state-embs (from geneformer embed --cell-states)");
        }
        EmbeddingTable t = EmbeddingTable.read(stateEmbs);
        Map<String, float[]> states = new LinkedHashMap<>();
        for (String n : cs.names()) {
            int row = java.util.Arrays.asList(t.ids()).indexOf(n);
            if (row < 0) {
                throw new UserException(stateEmbs + " has no embedding for state '" + n + "' (rows: " + String.join(", ", t.ids()) + ")");
            }
            states.put(n, t.matrix()[row]);
        }
        return states;
    }

    /** {@code --cell-range START:END} as {start, end}; end -1 for "to the last cell". */
    private int[] range() {
        if (cellRange == null) {
            return new int[] {0, -1};
        }
        String[] p = cellRange.split(":", -1);
        try {
            return new int[] {p[0].isEmpty() ? 0 : Integer.parseInt(p[0]), p.length < 2 || p[1].isEmpty() ? -1 : Integer.parseInt(p[1])};
        } catch (NumberFormatException e) {
            throw new UserException("--cell-range expects START:END, not '" + cellRange + "'");
        }
    }

    /** Tokens of genes named by Ensembl ID or symbol, in the order given. */
    public static int[] tokens(GeneVocabulary vocab, String list) {
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
