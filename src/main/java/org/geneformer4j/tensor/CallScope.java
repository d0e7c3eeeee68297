package org.geneformer4j.tensor;

import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;

/**
 * Runs one call (an encoder layer, a quantized linear) in a scope of its own, so that its temporaries (activations, a
 * dequantized weight, rescaled copies of the input) are freed when it returns instead of living in the caller's
 * scope until the whole batch closes: a forward pass would otherwise hold every layer's temporaries at once (for
 * NF4 about 10 bytes per weight of the model). Only the result moves to the caller's scope. Under autograd, what
 * backward needs stays alive in the graph, which holds its own references to the native tensors.
 */
public final class CallScope {
    private CallScope() {}

    public static Tensor run(Supplier<Tensor> call) {
        Tensor y;
        try (PointerScope scope = new PointerScope()) {
            y = call.get();
            y.retainReference();
        }
        PointerScope outer = PointerScope.getInnerScope();
        if (outer != null) {
            outer.attach(y);
            y.releaseReference();
        }
        return y;
    }
}
