package org.geneformer4j.embed;

/** Upstream's {@code emb_mode}. */
public enum EmbMode {
    /** The {@code <cls>} token's embedding (V2 models only). */
    CLS,
    /** Mean over the cell's gene positions (special tokens excluded). */
    CELL,
    /** Contextual gene embeddings averaged per gene over cells. */
    GENE
}
