package org.geneformer4j.engine;

import java.util.Optional;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.util.UserException;

/** Which tokenization a model expects: from its registry entry, else from its vocabulary size. */
public record ModelInputs(String version, String vocabulary, int inputSize, boolean specialTokens) {
    public static ModelInputs of(Optional<ModelCard> card, BertConfig config, String overrideVersion) {
        if (card.isPresent()) {
            ModelCard c = card.get();
            boolean v2 = !c.specialTokens().isEmpty();
            return new ModelInputs(v2 ? "V2" : "V1", c.vocabulary(), c.inputSize(), v2);
        }
        String v = overrideVersion;
        if (v == null) {
            if (config.vocabSize() == 25426) {
                v = "V1";
            } else if (config.vocabSize() == 20275) {
                v = "V2";
            } else {
                throw new UserException("cannot tell the model's vocabulary from vocab_size " + config.vocabSize()
                        + "; pass --model-version V1 or V2");
            }
        }
        boolean v2 = v.equalsIgnoreCase("V2");
        return new ModelInputs(v2 ? "V2" : "V1", v2 ? "gc104M" : "gc30M", Math.min(config.maxPositions(), v2 ? 4096 : 2048), v2);
    }
}
