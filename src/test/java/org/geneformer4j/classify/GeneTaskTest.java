package org.geneformer4j.classify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.model.RandomInit;
import org.junit.jupiter.api.Test;

/**
 * A data-parallel rank's part of the gene-classification loss: the loss is one mean over the labelled genes of a
 * batch, so shares holding different numbers of them must count by those, not by their cells.
 */
class GeneTaskTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    @Test
    void thePartsOfTheRanksSumToTheLossOfTheBatch() {
        // genes 10..13 are labelled; the first share's cells hold one each, the second's four each
        List<LabeledCell> cells = new ArrayList<>();
        for (int c = 0; c < 6; c++) {
            int[] tokens = c < 3 ? new int[] {10 + c, 20, 21, 22, 23} : new int[] {10, 11, 12, 13, 20 + c};
            cells.add(new LabeledCell(c, "c" + c, tokens, null, null));
        }
        Map<Integer, Integer> genes = Map.of(10, 0, 11, 1, 12, 0, 13, 1);
        GeneTask task = new GeneTask(cells, new GeneTask.GeneSplit(genes, Map.of(), Map.of()), List.of("a", "b"), 8);
        var config = RandomInit.config(44, 16, 2, 2, 32, 32).withDropout(0);
        try (PointerScope scope = new PointerScope();
                BertModel m = BertModel.load(RandomInit.checkpoint(config, 3), Head.TOKEN_CLASSIFICATION, List.of("a", "b"), CPU,
                        ScalarType.Float, 5).model()) {
            try (org.bytedeco.pytorch.NoGradGuard g = new org.bytedeco.pytorch.NoGradGuard()) {
                // a random head is near uniform, every gene's loss ~ln 2 whatever its share: sharpen it so that they differ
                m.parameters().get("classifier.weight").mul_(new org.bytedeco.pytorch.Scalar(300.0));
            }
            int[] batch = {0, 1, 2, 3, 4, 5};
            int[] first = {0, 1, 2};
            int[] second = {3, 4, 5};
            assertEquals(3, task.weight(first, 0));
            assertEquals(12, task.weight(second, 0));
            double whole = task.loss(m, batch).item_double();
            // each rank's share of the batch's weight, as the ranks' summed weights give it
            double parts = task.lossPart(m, first, batch, 3 / 15.0, 0).item_double() + task.lossPart(m, second, batch, 12 / 15.0, 0).item_double();
            assertEquals(whole, parts, 1e-6, "the ranks' parts add up to the batch's loss");
            double byCells = (task.loss(m, first).item_double() + task.loss(m, second).item_double()) / 2;
            System.out.println("gene loss of a batch " + whole + "; parts " + parts + "; shares weighted by cells " + byCells);
            assertTrue(Math.abs(byCells - whole) > 1e-3, "the shares hold different numbers of genes, so weighting by cells is off: " + byCells);
        }
    }
}
