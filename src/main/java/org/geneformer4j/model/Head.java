package org.geneformer4j.model;

/** What sits on top of the BERT encoder, named as the Hugging Face class that has it. */
public enum Head {
    /** No head: embeddings only (BertModel / the encoder of BertForMaskedLM). */
    NONE("BertModel"),
    /** Masked-language-model head, decoder tied to the word embeddings. */
    MLM("BertForMaskedLM"),
    /** Pooler (dense + tanh on position 0), dropout, linear: the cell classifier. */
    SEQUENCE_CLASSIFICATION("BertForSequenceClassification"),
    /** Dropout and a linear layer per token: the gene classifier. */
    TOKEN_CLASSIFICATION("BertForTokenClassification");

    public final String architecture;

    Head(String architecture) {
        this.architecture = architecture;
    }
}
