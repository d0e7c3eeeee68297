package org.geneformer4j.perturb;

/**
 * One value of a perturbation. {@code affected} is -1 for the cell embedding, else the token of the gene whose own
 * embedding is compared; {@code state} is null without cell states, else the state the shift is towards.
 * Without states the value is a cosine similarity (perturbed vs original); with states it is
 * {@code cos(perturbed, state) - cos(original, state)}.
 */
public record Result(Perturbation perturbation, int affected, String state, double value) {}
