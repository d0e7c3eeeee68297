package org.geneformer4j.model;

import java.util.List;
import org.bytedeco.pytorch.Tensor;

/**
 * What a forward pass returns. {@code hiddenStates} follows transformers' {@code output_hidden_states}: index 0 is
 * the embedding output and index i the output of encoder layer i (L+1 tensors), or only the last when not all were
 * requested. {@code attentions} holds one [batch, heads, len, len] tensor per layer when requested, else is empty.
 * {@code logits} is the head's output, or null for {@link Head#NONE}.
 */
public record BertOutput(List<Tensor> hiddenStates, List<Tensor> attentions, Tensor logits) {
    public Tensor lastHiddenState() {
        return hiddenStates.get(hiddenStates.size() - 1);
    }
}
