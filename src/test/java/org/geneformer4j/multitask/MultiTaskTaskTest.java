package org.geneformer4j.multitask;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.RandomInit;
import org.junit.jupiter.api.Test;

/**
 * A data-parallel rank's part of the multi-task loss: the parts of the ranks sum to the loss of the whole batch
 * although each share lacks different labels, which weighting each share's loss by its share of cells does not give.
 */
class MultiTaskTaskTest {
    static final Device CPU = new Device(torch.DeviceType.CPU, (byte) -1);

    @Test
    void thePartsOfTheRanksSumToTheLossOfTheBatch() {
        // cells 0..9: cell 3 lacks a kind, cells 1, 5 and 9 a mark; shares 0..3 and 4..9 hold 3/4 and 6/6 kinds, 3/4 and 4/6 marks
        MultiTaskCells data = MultiTaskCells.of(MultiTaskRunTest.cells(10, 1), List.of("kind", "mark"), false, 0, 1, s -> {});
        var config = RandomInit.config(44, 16, 2, 2, 32, 32).withDropout(0);
        try (PointerScope scope = new PointerScope();
                MultiTaskModel model = MultiTaskModel.create(RandomInit.checkpoint(config, 3), data.tasks(), MultiTaskModel.Pooling.ATTENTION, 0,
                        CPU, ScalarType.Float, 5)) {
            MultiTaskTask task = new MultiTaskTask(model, data, data.cells(), List.of(), new double[] {1, 0.5}, 64);
            BertModel m = model.encoder();
            int[] batch = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
            int[] first = {0, 1, 2, 3};
            int[] second = {4, 5, 6, 7, 8, 9};
            double whole = task.loss(m, batch).item_double();
            // the share of the cells' weight is no use here (NaN would show): each task's mean is weighted by its own share
            double parts = task.lossPart(m, first, batch, Double.NaN, 0).item_double() + task.lossPart(m, second, batch, Double.NaN, 0).item_double();
            assertEquals(whole, parts, 1e-6, "the ranks' parts add up to the batch's loss");
            assertEquals(whole, task.lossPart(m, batch, batch, Double.NaN, 0).item_double(), 0.0, "one process: its part is the loss");
            double byCells = task.loss(m, first).item_double() * 0.4 + task.loss(m, second).item_double() * 0.6;
            System.out.println("multi-task loss of a batch " + whole + "; parts " + parts + "; shares weighted by cells " + byCells);
            assertTrue(Math.abs(byCells - whole) > 1e-3, "the shares lack different labels, so weighting by cells is off: " + byCells);
        }
    }
}
