package org.geneformer4j.engine;

import java.util.List;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.DeviceOptional;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.BertOutput;
import org.geneformer4j.model.PackedLayout;

/**
 * One forward batch on a {@link Worker}: its cells staged in the worker's pooled buffers, padded on the right or
 * packed end to end. Every tensor made while it is open belongs to its pointer scope and is freed when it closes,
 * with the buffers going back to the pool: read results into Java arrays before closing. Batches nest (a cell's
 * original stays open while its perturbations run), and close in the reverse order.
 */
public final class Batch implements AutoCloseable {
    private final PointerScope scope;
    private final Worker worker;
    private final List<int[]> cells;
    private final PackedLayout layout;
    private final int rows;
    private final int length;
    private final InputStaging.Staged staged;

    Batch(Worker worker, List<int[]> cells, boolean packed) {
        this.scope = new PointerScope(); // first: the staged tensors belong to it
        this.worker = worker;
        this.cells = cells;
        InputStaging.Staged in;
        try {
            TokenBatch inputs = TokenBatch.of(cells, worker.padToken(), packed);
            layout = inputs.layout();
            rows = inputs.rows();
            length = inputs.length();
            in = worker.staging().stage(inputs.ids(), inputs.mask(), rows, length);
        } catch (RuntimeException e) {
            scope.close();
            throw e;
        }
        staged = in;
    }

    public int cells() {
        return cells.size();
    }

    /** Tokens the batch costs the device: padded rows times length, or the real tokens when packed. */
    public long tokens() {
        return (long) rows * length;
    }

    public boolean packed() {
        return layout != null;
    }

    /**
     * Hidden states after {@code layers} encoder layers (the embedding layer's output for 0): [rows, length, hidden]
     * padded, [tokens, hidden] packed.
     */
    public Tensor hidden(int layers) {
        BertModel m = worker.model();
        if (layout != null) {
            return m.forwardPacked(staged.ids().view(length), staged.mask().view(length), layout,
                    layout.cumulative(m.device()), layers).lastHiddenState();
        }
        return m.forward(staged.ids(), staged.mask(), false, false, layers).lastHiddenState();
    }

    /**
     * The model's full output, head included: padded [rows, length, ..]; packed, a sequence classifier's logits are
     * [cells, classes] and per-token heads' [tokens, ..] ({@link BertModel#forwardPacked}).
     */
    public BertOutput forward() {
        BertModel m = worker.model();
        if (layout != null) {
            return m.forwardPacked(staged.ids().view(length), staged.mask().view(length), layout, layout.cumulative(m.device()),
                    m.config().numLayers());
        }
        return m.forward(staged.ids(), staged.mask(), false, false);
    }

    /**
     * Hidden states ({@link #hidden}) as rows [cells, longest, hidden]: a padded batch's as they are (positions past a
     * cell's end hold the model's output for the padding), a packed batch's scattered into rows with zeros after
     * each cell's end. For code that measures cells row by row whichever way they ran.
     */
    public Tensor rows(Tensor hidden) {
        if (layout == null) {
            return hidden;
        }
        int n = layout.cells();
        int longest = layout.maxLength();
        long[] dest = new long[(int) layout.tokens()];
        for (int c = 0; c < n; c++) {
            for (long j = layout.offsets()[c]; j < layout.offsets()[c + 1]; j++) {
                dest[(int) j] = (long) c * longest + (j - layout.offsets()[c]);
            }
        }
        Tensor index = org.geneformer4j.tensor.Tensors.longs(dest, dest.length).to(hidden.device(), ScalarType.Long);
        long h = hidden.size(1);
        return torch.zeros(new long[] {(long) n * longest, h}, new TensorOptions(hidden.scalar_type())
                .device(new DeviceOptional(hidden.device()))).index_copy_(0, index, hidden).view(n, longest, h);
    }

    /** Row r's first token in {@code hidden}: r times the padded length, or the cell's packed offset. */
    public long start(int r) {
        return layout != null ? layout.offsets()[r] : (long) r * length;
    }

    /** Padded length (the longest cell), or all tokens when packed. */
    public int length() {
        return length;
    }

    /** [cells, hidden] the first token of each cell ({@code <cls>} for V2 inputs). */
    public Tensor cls(Tensor hidden) {
        return layout != null ? Pooling.cls(hidden, layout) : Pooling.cls(hidden);
    }

    /** [cells, hidden] each cell's mean over its tokens, without the first and/or last ({@code <cls>}, {@code <eos>}). */
    public Tensor mean(Tensor hidden, boolean skipFirst, boolean skipLast) {
        if (layout != null) {
            return Pooling.mean(hidden, layout, skipFirst, skipLast);
        }
        long[] lens = new long[rows];
        for (int r = 0; r < rows; r++) {
            lens[r] = cells.get(r).length;
        }
        Tensor lengths = org.geneformer4j.tensor.Tensors.longs(lens, rows).to(worker.model().device(), ScalarType.Long);
        return Pooling.mean(hidden, lengths, skipFirst, skipLast);
    }

    @Override
    public void close() {
        try {
            worker.staging().release(staged);
        } finally {
            scope.close();
        }
    }
}
