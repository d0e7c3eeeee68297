package org.geneformer4j.classify;

/** A tokenized cell with its class label (for gene classification, none) and its split group (e.g. donor). */
public record LabeledCell(int row, String id, int[] tokens, String label, String group) {
    public int length() {
        return tokens.length;
    }
}
