package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.tensor.Tensors;
import org.junit.jupiter.api.Test;

/** NF4 encoder weights inside the model: LibTorch's dequantization is the Java quantizer's, and embeddings stay close. */
class Nf4LinearsTest {
    @Test
    void theDequantizedWeightIsTheReferenceDequantizationBitForBit() {
        BertConfig config = RandomInit.config(100, 64, 1, 4, 192, 64);
        try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 4), Head.NONE, 0, Int8LinearsTest.CPU, ScalarType.Float, 0).model();
                PointerScope s = new PointerScope()) {
            for (String name : EncoderLinears.of(config)) {
                float[] w = Tensors.floatArray(m.parameters().get(name + ".weight"));
                float[] expected = Nf4.dequantize(Nf4.quantize(w, Tensors.shape(m.parameters().get(name + ".weight"))));
                try (Nf4Linears q = Nf4Linears.of(m)) {
                    assertArrayEquals(expected, Tensors.floatArray(q.dequantize(name)), name);
                }
            }
        }
    }

    @Test
    void nf4EmbeddingsWithinCosine099OfFp32AndAboutASeventhOfTheBytes() {
        BertConfig config = Int8LinearsTest.config();
        List<int[]> cells = Int8LinearsTest.cells(12, 2);
        float[][] full;
        long fp32Bytes = 0;
        try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 7), Head.NONE, 0, Int8LinearsTest.CPU, ScalarType.Float, 0).model()) {
            full = Int8LinearsTest.embeddings(m, cells);
            for (String name : EncoderLinears.of(config)) {
                fp32Bytes += 4 * (m.parameters().get(name + ".weight").numel() + m.parameters().get(name + ".bias").numel());
            }
        }
        try (BertModel m = BertModel.load(RandomInit.checkpoint(config, 7), Head.NONE, 0, Int8LinearsTest.CPU, ScalarType.Float, 0).model()) {
            Quantizer.install(m, Quantization.NF4);
            float[][] nf4 = Int8LinearsTest.embeddings(m, cells);
            double[] cos = Int8LinearsTest.cosines(full, nf4);
            double min = java.util.Arrays.stream(cos).min().orElseThrow();
            double ratio = (double) m.linears().weightBytes() / fp32Bytes;
            System.out.printf("nf4: min per-cell cosine %.6f, encoder linear bytes %.3f of fp32%n", min, ratio);
            assertTrue(min >= 0.99, "min cosine " + min);
            assertTrue(min < 0.99999, "NF4 gave fp32's embeddings: not quantized");
            assertTrue(ratio < 0.135 && ratio > 0.125, "bytes ratio " + ratio);
            assertEquals(0, m.parameters().keySet().stream().filter(k -> k.contains("encoder") && k.contains("dense.weight")).count());
        }
    }
}
