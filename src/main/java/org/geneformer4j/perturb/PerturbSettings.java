package org.geneformer4j.perturb;

import java.util.List;
import java.util.Map;

/**
 * A perturbation run, in upstream's terms: {@code genes} empty means "all" (each gene of each cell on its own),
 * else the listed tokens are perturbed together as a group; {@code anchor} (a token, or -1) with {@code combos} 1
 * also perturbs every other gene together with the anchor; {@code states} maps state names to their embeddings
 * (start, goal, alternatives) and the filters keep the start-state cells. {@code packed}: each cell's original and
 * perturbed versions run as packed batches ({@link Perturber}).
 */
public record PerturbSettings(PerturbType type, int rankShift, int[] genes, int anchor, int combos, PerturbMode mode,
        int embLayer, Map<String, List<String>> filters, int maxCells, long seed, int cellStart, int cellEnd,
        Map<String, float[]> states, int batchSize, long maxTokens, int shardCells, boolean packed) {}
