package org.geneformer4j.perturb;

import java.util.List;
import java.util.Map;

/**
 * A perturbation run, in upstream's terms: {@code genes} empty means "all" (each gene of each cell on its own),
 * else the listed tokens are perturbed together as a group; {@code states} maps state names to their embeddings
 * (start, goal, alternatives) and {@code stateFilter} keeps the start-state cells.
 */
public record PerturbSettings(PerturbType type, int rankShift, int[] genes, PerturbMode mode, int embLayer,
        Map<String, List<String>> filters, int maxCells, long seed, int cellStart, int cellEnd,
        Map<String, float[]> states, int batchSize, long maxTokens, int shardCells) {}
