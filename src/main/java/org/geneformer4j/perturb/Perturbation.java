package org.geneformer4j.perturb;

/**
 * One perturbed version of a cell: the perturbed gene tokens, the perturbed input, and for every position of that
 * input the position of the same gene in the original input, or -1 where there is nothing to compare (the
 * perturbed genes themselves and {@code <cls>}/{@code <eos>}).
 */
public record Perturbation(int[] genes, int[] ids, int[] originalPosition) {
    public int length() {
        return ids.length;
    }
}
