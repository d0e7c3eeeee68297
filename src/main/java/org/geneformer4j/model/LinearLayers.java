package org.geneformer4j.model;

import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;

/**
 * Another way to run some of the model's linear layers (quantized weights, low-rank adapters): the model keeps its
 * architecture and hands these layers' {@code x·Wᵀ + b} over, so quantization needs no second copy of the forward
 * pass. Implementations live in {@code org.geneformer4j.quant}.
 */
public interface LinearLayers extends AutoCloseable {
    /** The layers taken over, by transformers name without {@code .weight}/{@code .bias}. */
    Set<String> names();

    /**
     * {@code x·Wᵀ + b} of layer {@code name} (one of {@link #names()}) for {@code x} [.., in]; {@code training} says
     * whether the model is in train mode (adapters apply their dropout then).
     */
    Tensor apply(String name, Tensor x, boolean training);

    /** Parameters these layers add (adapter matrices), by the name they are saved under; none by default. */
    default Map<String, Tensor> parameters() {
        return Map.of();
    }

    /** Bytes the layers' weights occupy (codes, scales, adapters): what a memory table reports. */
    long weightBytes();

    @Override
    void close();
}
