package org.geneformer4j.quant;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.tensor.Tensors;

/**
 * The linear layers that quantization replaces: the six of every encoder layer (query, key, value, attention
 * output, intermediate, output), which hold 85 % of a Geneformer V2's parameters. Embeddings, LayerNorms, the pooler
 * and the heads stay in full precision, as bitsandbytes leaves them when transformers quantizes a BERT (the heads
 * are its {@code modules_to_not_convert}; embeddings and norms are no {@code nn.Linear}).
 */
public final class EncoderLinears {
    public static final List<String> SUFFIXES = List.of("attention.self.query", "attention.self.key",
            "attention.self.value", "attention.output.dense", "intermediate.dense", "output.dense");

    private EncoderLinears() {}

    /** Every encoder linear layer of a model of {@code config}, in layer order. */
    public static List<String> of(BertConfig config) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < config.numLayers(); i++) {
            for (String s : SUFFIXES) {
                out.add("bert.encoder.layer." + i + "." + s);
            }
        }
        return out;
    }

    /** The weight and bias names of every encoder linear layer: what a quantized load leaves on the host. */
    public static Set<String> tensorNames(BertConfig config) {
        Set<String> out = new LinkedHashSet<>();
        for (String l : of(config)) {
            out.add(l + ".weight");
            out.add(l + ".bias");
        }
        return out;
    }

    /**
     * Tensor {@code name} in fp32 on the model's device: from the checkpoint when the load left it there
     * ({@code host}; a copy the caller's scope frees), else the model's parameter.
     */
    static Tensor tensor(BertModel model, Map<String, HostTensor> host, String name) {
        HostTensor h = host.get(name);
        if (h != null) {
            return Tensors.toTorch(h, model.device(), ScalarType.Float);
        }
        Tensor t = model.parameters().get(name);
        if (t == null) {
            throw new IllegalStateException("no tensor " + name);
        }
        return t.detach().to(ScalarType.Float);
    }

    /** The short module name peft matches {@code target_modules} against (query, value, dense, ...). */
    public static String moduleName(String layer) {
        return layer.substring(layer.lastIndexOf('.') + 1);
    }
}
