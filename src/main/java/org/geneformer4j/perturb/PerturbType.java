package org.geneformer4j.perturb;

/**
 * What happens to the perturbed gene(s) in a cell's rank-ordered tokens. {@code DELETE} and {@code OVEREXPRESS}
 * are upstream's. {@code INHIBIT} and {@code ACTIVATE}, which upstream declares but rejects as unfinished, are
 * defined here: the gene moves down (inhibit) or up (activate) the cell's ranking by {@code shift} quartiles of the
 * cell's gene count, {@code round(shift * G / 4)} places, clamped to the last / first gene position; the other genes
 * keep their order and the length is unchanged.
 */
public enum PerturbType { DELETE, OVEREXPRESS, INHIBIT, ACTIVATE }
