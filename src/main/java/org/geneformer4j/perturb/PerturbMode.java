package org.geneformer4j.perturb;

/**
 * Upstream's emb_mode for perturbation: which embedding the cell-level value compares ({@code <cls>} or the genes),
 * and whether each affected gene's own cosine is reported too. V1 models have no {@code <cls>}: cls modes become
 * cell modes, as upstream.
 */
public enum PerturbMode {
    CLS, CELL, CLS_AND_GENE, CELL_AND_GENE;

    public boolean usesCls() {
        return this == CLS || this == CLS_AND_GENE;
    }

    public boolean perGene() {
        return this == CLS_AND_GENE || this == CELL_AND_GENE;
    }

    public PerturbMode withoutCls() {
        return this == CLS ? CELL : this == CLS_AND_GENE ? CELL_AND_GENE : this;
    }
}
