package org.geneformer4j.embed;

/** One cell to embed: its row in the input, tokens, id and carried label values. */
record Cell(int row, int[] tokens, String id, String[] labels) {
    int length() {
        return tokens.length;
    }
}
