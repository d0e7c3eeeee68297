package org.geneformer4j.train;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.geneformer4j.classify.CellSelection;
import org.geneformer4j.classify.LabeledCell;

/** A small separable task: each class draws most of its genes from its own block of the vocabulary. */
final class SyntheticCells {
    static final int VOCAB = 48;

    private SyntheticCells() {}

    static List<LabeledCell> make(int n, int classes, long seed) {
        Random rng = new Random(seed);
        List<LabeledCell> out = new ArrayList<>();
        int block = (VOCAB - 8) / classes;
        for (int i = 0; i < n; i++) {
            int c = i % classes;
            int len = 6 + rng.nextInt(10);
            int[] t = new int[len];
            for (int j = 0; j < len; j++) {
                // 70% of genes from the class's block, the rest shared noise
                t[j] = rng.nextDouble() < 0.7 ? 8 + c * block + rng.nextInt(block) : 4 + rng.nextInt(VOCAB - 4);
            }
            out.add(new LabeledCell(i, "cell" + i, t, "type" + (char) ('A' + c), "donor" + (i % 5)));
        }
        return out;
    }

    static CellSelection.Prepared prepared(List<LabeledCell> cells) {
        return CellSelection.prepare(cells, "cell_type", 0, 0, 0, 42, m -> { });
    }
}
