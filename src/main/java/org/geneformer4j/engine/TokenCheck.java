package org.geneformer4j.engine;

import org.geneformer4j.model.BertConfig;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Whether tokenized cells fit a model: every token inside its vocabulary, no cell longer than its positions, and
 * {@code <cls>}/{@code <eos>} exactly when the model expects them. Catches data tokenized for the other model
 * version with one clear line instead of wrong numbers.
 */
public final class TokenCheck {
    private final int vocabSize;
    private final int maxPositions;
    private final GeneVocabulary vocab;
    private final boolean specialTokens;
    private int checked;
    private int startsLikeV2;

    public TokenCheck(BertConfig config, GeneVocabulary vocab, boolean specialTokens) {
        this.vocabSize = config.vocabSize();
        this.maxPositions = config.maxPositions();
        this.vocab = vocab;
        this.specialTokens = specialTokens;
    }

    public void check(String cellId, int[] t) {
        if (t.length > maxPositions) {
            throw new UserException("cell " + cellId + " has " + t.length + " tokens but the model takes "
                    + maxPositions + " positions: were the data tokenized for another model (V2 data into a V1 model)?");
        }
        for (int v : t) {
            if (v < 0 || v >= vocabSize) {
                throw new UserException("token " + v + " in cell " + cellId + " is outside the model's vocabulary of "
                        + vocabSize + ": were the data tokenized with another vocabulary (V1 data into a V2 model)?");
            }
        }
        if (checked < 200 && t.length > 1) {
            checked++;
            boolean v2Shape = t[0] == vocab.cls() && t[t.length - 1] == vocab.eos();
            if (specialTokens && !v2Shape) {
                throw new UserException("cell " + cellId + " does not start with <cls> and end with <eos>,"
                        + " but the model expects them: were the data tokenized with V1 settings? (tokenize --model-version V2)");
            }
            startsLikeV2 += (!specialTokens && t[0] == 2 && t[t.length - 1] == 3) ? 1 : 0;
        }
    }

    /** After the last cell: a V1 model fed only cells shaped like V2 tokenization is refused. */
    public void finish() {
        if (!specialTokens && checked >= 3 && startsLikeV2 == checked) {
            throw new UserException("every cell starts with token 2 and ends with token 3 (<cls>/<eos> of V2 tokenization),"
                    + " but the model is a V1 model without special tokens");
        }
    }
}
