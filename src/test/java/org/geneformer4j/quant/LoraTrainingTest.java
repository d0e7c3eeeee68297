package org.geneformer4j.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.engine.TokenBatch;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.train.AdamW;
import org.junit.jupiter.api.Test;

/**
 * LoRA over NF4 learns what only attention can find: whether a cell holds one given gene among random genes, seen
 * through frozen random embeddings. With adapters on query and value the model generalises to new cells; with the
 * head alone (the same steps) it cannot; and nothing but adapters and head moves.
 */
class LoraTrainingTest {
    static final BertConfig CONFIG = RandomInit.config(200, 64, 2, 4, 128, 128);

    /** Cells of 30 random genes after <cls>; odd ones hold gene 77 at a random place, even ones never. */
    static List<int[]> cells(int n, long seed) {
        Random r = new Random(seed);
        List<int[]> cells = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int[] t = new int[30];
            t[0] = 2;
            for (int j = 1; j < t.length; j++) {
                t[j] = 10 + r.nextInt(190);
                t[j] = t[j] == 77 ? 78 : t[j];
            }
            if (i % 2 == 1) {
                t[1 + r.nextInt(29)] = 77;
            }
            cells.add(t);
        }
        return cells;
    }

    static long[] labels(int n) {
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 2;
        }
        return y;
    }

    /** Trains 100 steps on 96 cells; returns the accuracy on 64 new cells. */
    static double heldOutAccuracy(boolean adapters) {
        List<int[]> train = cells(96, 9);
        List<int[]> test = cells(64, 10);
        try (BertModel m = BertModel.load(RandomInit.checkpoint(CONFIG, 3), Head.SEQUENCE_CLASSIFICATION, 2, Int8LinearsTest.CPU,
                ScalarType.Float, 1).model()) {
            LoraLinears.install(m, new LoraSettings(8, 16, 0.0, List.of("query", "value"), Quantization.NF4), 1);
            if (!adapters) {
                m.restrictTraining(LoraLinears::isHead);
            }
            Map<String, Tensor> trainable = new LinkedHashMap<>();
            m.parameters().forEach((k, v) -> {
                if (m.mayTrain(k)) {
                    v.requires_grad_(true);
                    trainable.put(k, v);
                }
            });
            assertEquals(adapters ? 2 * 2 * 2 + 4 : 4, trainable.size(), trainable.keySet().toString());
            float[] embeddings = Tensors.floatArray(m.parameters().get("bert.embeddings.word_embeddings.weight"));
            float[] norm = Tensors.floatArray(m.parameters().get("bert.encoder.layer.1.output.LayerNorm.weight"));
            m.train(true);
            try (AdamW opt = new AdamW(trainable, 0.0, 0.9, 0.999, 1e-8)) {
                for (int step = 0; step < 100; step++) {
                    try (PointerScope s = new PointerScope()) {
                        torch.cross_entropy(TokenBatch.of(train, 0).forward(m).logits(), Tensors.longs(labels(96), 96)).backward();
                        opt.step(1e-2);
                        trainable.values().forEach(p -> p.grad().zero_());
                    }
                }
            }
            m.parameters().values().forEach(p -> p.requires_grad_(false));
            assertArrayEquals(embeddings, Tensors.floatArray(m.parameters().get("bert.embeddings.word_embeddings.weight")), "embeddings frozen");
            assertArrayEquals(norm, Tensors.floatArray(m.parameters().get("bert.encoder.layer.1.output.LayerNorm.weight")), "LayerNorms frozen");
            m.train(false);
            try (PointerScope s = new PointerScope(); NoGradGuard g = new NoGradGuard()) {
                float[] logits = Tensors.floatArray(TokenBatch.of(test, 0).forward(m).logits());
                int right = 0;
                for (int i = 0; i < test.size(); i++) {
                    right += (logits[2 * i + 1] > logits[2 * i] ? 1 : 0) == i % 2 ? 1 : 0;
                }
                return right / (double) test.size();
            }
        }
    }

    @Test
    void adaptersLearnAGenePresenceTaskThatTheHeadAloneCannot() {
        double lora = heldOutAccuracy(true);
        double head = heldOutAccuracy(false);
        System.out.printf("gene-presence task, held-out accuracy: LoRA over NF4 + head %.3f, head alone %.3f%n", lora, head);
        assertTrue(lora >= 0.9, "LoRA: " + lora);
        assertTrue(head <= 0.75, "the head alone should not find the gene: " + head);
    }
}
