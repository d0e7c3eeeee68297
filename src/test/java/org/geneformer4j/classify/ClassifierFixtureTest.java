package org.geneformer4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.TestData;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.model.Head;
import org.geneformer4j.util.Progress;
import org.junit.jupiter.api.Test;

/**
 * Classifiers that geneformer4j fine-tuned and saved, loaded by transformers (BertForSequenceClassification and
 * BertForTokenClassification): Java's logits of the saved models equal transformers' within 1e-5
 * (scripts/fixtures/make_classifier_fixtures.py), on a padded batch.
 */
class ClassifierFixtureTest {
    @Test
    void savedCellClassifierGivesTransformersLogits() throws Exception {
        check("cell", Head.SEQUENCE_CLASSIFICATION);
    }

    @Test
    void savedGeneClassifierGivesTransformersLogits() throws Exception {
        check("gene", Head.TOKEN_CLASSIFICATION);
    }

    private static void check(String kind, Head head) throws Exception {
        JsonNode exp = new ObjectMapper().readTree(TestData.resource("fixtures/classifier/expected_logits.json").toFile());
        Checkpoint ckpt = Checkpoint.load(TestData.resource("fixtures/classifier/" + kind));
        assertEquals(head.architecture, ckpt.config().architecture());
        assertEquals(exp.get(kind).get("architecture").asText(), ckpt.config().architecture());
        List<String> labels = ckpt.config().labels();
        for (int i = 0; i < labels.size(); i++) {
            assertEquals(exp.get(kind).get("id2label").get(String.valueOf(i)).asText(), labels.get(i));
        }
        List<int[]> cells = new ArrayList<>();
        for (JsonNode c : exp.get("input_ids")) {
            int[] t = new int[c.size()];
            for (int j = 0; j < t.length; j++) {
                t[j] = c.get(j).asInt();
            }
            cells.add(t);
        }
        try (BertModel m = BertModel.load(ckpt, head, labels, new Device("cpu"), torch.ScalarType.Float, 0).model()) {
            // batch 4 so that the six cells are split and padded differently from transformers' one batch
            float[][] logits;
            try (org.geneformer4j.engine.Worker w = org.geneformer4j.engine.Worker.around(m)) {
                logits = w.logits(cells, 4, 1 << 20, Progress.silent());
            }
            double worst = 0;
            for (int i = 0; i < cells.size(); i++) {
                JsonNode e = exp.get(kind).get("logits").get(i);
                assertEquals(e.size(), logits[i].length, "cell " + i);
                for (int k = 0; k < logits[i].length; k++) {
                    worst = Math.max(worst, Math.abs(e.get(k).asDouble() - logits[i][k]));
                }
            }
            assertEquals(0, worst, 1e-5, kind + " logits");
        }
    }
}
