package org.geneformer4j.embed;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.TokenColumns;
import org.geneformer4j.engine.Batch;
import org.geneformer4j.engine.BatchPlan;
import org.geneformer4j.engine.CellQuery;
import org.geneformer4j.engine.MemoryBackoff;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.engine.TokenCheck;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.BertOutput;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.tensor.Tensors;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.util.Workers;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Upstream's {@code EmbExtractor.extract_embs} over a tokenized dataset. Two passes over the dataset: the first
 * selects rows (filter, seeded downsampling) and checks the data fit the model; the second streams the selected
 * cells in windows that a reader thread fills while the model runs, batches each window by length, and emits rows in
 * input order (or, with {@code sortByLength}, in upstream's longest-first order).
 */
public final class EmbeddingExtractor {
    private static final int WINDOW_CELLS = 8192;
    private static final List<SelectedCell> END = new ArrayList<>();

    private final BertModel model;
    private final List<Worker> workers;
    private final GeneVocabulary vocab;
    private final boolean specialTokens;
    private final EmbedSettings s;
    private java.util.function.IntConsumer afterBatch = n -> { };
    private final java.util.concurrent.atomic.AtomicInteger halvings = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * One worker per device ({@code --devices}): the batches of each window are shared out among them; the output
     * is the same as with one.
     */
    public EmbeddingExtractor(List<Worker> workers, GeneVocabulary vocab, boolean specialTokens, EmbedSettings settings) {
        this.workers = List.copyOf(workers);
        this.model = workers.get(0).model();
        this.vocab = vocab;
        this.specialTokens = specialTokens;
        this.s = settings;
        if (settings.mode() == EmbMode.CLS && !specialTokens) {
            throw new UserException("--emb-mode cls needs a model with a <cls> token (V2); use --emb-mode cell for V1 models");
        }
        if (settings.embLayer() != -1 && settings.embLayer() != 0) {
            throw new UserException("--emb-layer must be -1 (second-to-last layer) or 0 (last layer)");
        }
    }

    /**
     * @param inputAllocations input buffers the run allocated (pooled: constant in batches once warm)
     * @param halvings batches split in two because the device ran out of memory
     */
    public record Result(int cells, double seconds, long inputAllocations, int halvings) {}

    /** Called after every batch with the number of cells embedded so far (for memory logging). */
    public void afterBatch(java.util.function.IntConsumer listener) {
        this.afterBatch = listener;
    }

    public Result run(Supplier<DatasetReader> dataset, java.nio.file.Path output, EmbeddingSink sink, Progress progress)
            throws IOException {
        boolean[] selected = select(dataset);
        int n = 0;
        for (boolean b : selected) {
            n += b ? 1 : 0;
        }
        progress.setTotal(n);
        List<String> labelNames = s.labels();
        int hidden = model.config().hiddenSize();
        GeneAccumulator genes = s.mode() == EmbMode.GENE ? new GeneAccumulator(hidden) : null;
        List<float[]> forSummary = s.summaryStat() != null ? new ArrayList<>() : null;
        List<String[]> summaryLabels = forSummary != null ? new ArrayList<>() : null;
        if (genes == null && forSummary == null) {
            sink.begin(hidden, "cell_id", labelNames);
        }
        Map<String, HostTensor> attentions = new LinkedHashMap<>();
        BlockingQueue<List<SelectedCell>> windows = new ArrayBlockingQueue<>(2);
        Thread reader = new Thread(() -> produce(dataset, selected, windows), "embed-reader");
        reader.setDaemon(true);
        reader.start();
        try {
            for (List<SelectedCell> window = take(windows); window != END; window = take(windows)) {
                float[][] embs = new float[window.size()][];
                Map<SelectedCell, Integer> slot = new java.util.IdentityHashMap<>();
                for (int i = 0; i < window.size(); i++) {
                    slot.put(window.get(i), i);
                }
                embedWindow(plan(window), slot, embs, genes, progress);
                List<SelectedCell> order = window;
                if (s.sortByLength()) {
                    order = new ArrayList<>(window);
                    order.sort(java.util.Comparator.comparingInt(SelectedCell::length).reversed().thenComparingInt(SelectedCell::row));
                }
                for (SelectedCell c : order) {
                    float[] e = embs[slot.get(c)];
                    if (forSummary != null) {
                        forSummary.add(e);
                        summaryLabels.add(c.values());
                    } else if (genes == null) {
                        sink.row(c.id(), e, c.values());
                    }
                    if (attentions.size() / Math.max(1, model.config().numLayers()) < s.attentionCells()) {
                        attentionsOf(c, attentions);
                    }
                }
            }
        } finally {
            reader.interrupt();
        }
        long allocations = inputAllocations();
        if (genes != null) {
            genes.write(sink, vocab);
        } else if (forSummary != null) {
            Summaries.write(sink, hidden, forSummary, summaryLabels, labelNames, s.summaryStat());
        }
        if (!attentions.isEmpty()) {
            java.nio.file.Path att = output.resolveSibling(output.getFileName().toString().replaceFirst("\\.[^.]+$", "")
                    + ".attentions.safetensors");
            SafeTensors.write(att, attentions, Map.of("layout", "cell<row>.layer<i>: [heads, length, length]"));
        }
        sink.commit();
        progress.finish();
        return new Result(n, progress.seconds(), allocations, halvings.get());
    }

    /** The window's cells in length-bucketed batches (the window is in row order, so ties stay in row order). */
    private List<List<SelectedCell>> plan(List<SelectedCell> window) {
        int[] lengths = window.stream().mapToInt(SelectedCell::length).toArray();
        List<List<SelectedCell>> out = new ArrayList<>();
        for (int[] idx : BatchPlan.plan(lengths, s.batchSize(), s.maxTokens(), s.packed())) {
            List<SelectedCell> b = new ArrayList<>(idx.length);
            for (int i : idx) {
                b.add(window.get(i));
            }
            out.add(b);
        }
        return out;
    }

    private void embedWindow(List<List<SelectedCell>> batches, Map<SelectedCell, Integer> slot, float[][] embs, GeneAccumulator genes,
            Progress progress) {
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        Workers pool = new Workers();
        List<Runnable> work = new ArrayList<>();
        for (Worker worker : workers) {
            work.add(() -> {
                for (int b; !pool.failed() && (b = next.getAndIncrement()) < batches.size(); ) {
                    List<SelectedCell> batch = batches.get(b);
                    List<float[]> out = MemoryBackoff.run(batch, part -> embedBatch(worker, part, genes), n -> halvings.incrementAndGet());
                    for (int r = 0; r < batch.size(); r++) {
                        embs[slot.get(batch.get(r))] = out.get(r);
                    }
                    synchronized (progress) {
                        progress.advance(batch.size());
                        afterBatch.accept((int) progress.done());
                    }
                }
            });
        }
        pool.run(work, "embed");
    }

    private static List<SelectedCell> take(BlockingQueue<List<SelectedCell>> q) {
        try {
            List<SelectedCell> w = q.take();
            if (w instanceof Failure f) {
                throw f.error;
            }
            return w;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }

    /** A window that carries the reader thread's error to the model thread. */
    private static final class Failure extends ArrayList<SelectedCell> {
        final RuntimeException error;

        Failure(RuntimeException error) {
            this.error = error;
        }
    }

    private void produce(Supplier<DatasetReader> dataset, boolean[] selected, BlockingQueue<List<SelectedCell>> windows) {
        try {
            List<SelectedCell> window = new ArrayList<>();
            int windowCap = s.sortByLength() ? Integer.MAX_VALUE : WINDOW_CELLS;
            try (DatasetReader r = dataset.get()) {
                TokenColumns cols = TokenColumns.of(r, s.labels());
                int row = 0;
                while (r.hasNext()) {
                    RowBatch b = r.next();
                    for (int i = 0; i < b.rows(); i++, row++) {
                        if (!selected[row]) {
                            continue;
                        }
                        window.add(new SelectedCell(row, cols.id(b, i, row), cols.tokens(b, i), cols.labels(b, i)));
                        if (window.size() >= windowCap) {
                            windows.put(window);
                            window = new ArrayList<>();
                        }
                    }
                }
            }
            if (!window.isEmpty()) {
                windows.put(window);
            }
            windows.put(END);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            try {
                windows.put(new Failure(e));
            } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** First pass: which rows to embed, and whether the data fit the model. */
    private boolean[] select(Supplier<DatasetReader> dataset) {
        CellQuery query = CellQuery.all().filter(s.filter()).carry("--emb-label", s.labels()).sample(s.maxNcells(), s.seed())
                .withoutTokens();
        try (DatasetReader r = dataset.get()) {
            return query.select(r, new TokenCheck(model.config(), vocab, specialTokens)).rowMask();
        }
    }

    /** Runs one batch; returns per-cell embeddings (cell modes), or nulls after feeding the gene accumulator (gene mode). */
    private List<float[]> embedBatch(Worker worker, List<SelectedCell> cells, GeneAccumulator genes) {
        try (Batch batch = worker.batch(cells.stream().map(SelectedCell::tokens).toList(), s.packed())) {
            MemoryBackoff.check(batch.tokens());
            Tensor h = batch.hidden(model.config().numLayers() + s.embLayer());
            if (genes != null) {
                long[] starts = new long[cells.size()];
                for (int r = 0; r < starts.length; r++) {
                    starts[r] = batch.start(r);
                }
                genes.add(cells, Tensors.floatArray(h), starts);
                return java.util.Collections.nCopies(cells.size(), null);
            }
            Tensor emb = s.mode() == EmbMode.CLS ? batch.cls(h) : batch.mean(h, specialTokens, specialTokens);
            return rowsOf(emb, cells.size(), model.config().hiddenSize());
        }
    }

    private static List<float[]> rowsOf(Tensor emb, int rows, int hidden) {
        float[] flat = Tensors.floatArray(emb);
        List<float[]> res = new ArrayList<>(rows);
        for (int r = 0; r < rows; r++) {
            res.add(Arrays.copyOfRange(flat, r * hidden, (r + 1) * hidden));
        }
        return res;
    }

    /** Input buffers allocated so far (all workers): constant once warm. */
    public long inputAllocations() {
        return workers.stream().mapToLong(Worker::inputAllocations).sum();
    }

    private void attentionsOf(SelectedCell c, Map<String, HostTensor> out) {
        try (PointerScope scope = new PointerScope()) {
            long[] ids = new long[c.length()];
            long[] mask = new long[c.length()];
            for (int j = 0; j < ids.length; j++) {
                ids[j] = c.tokens()[j];
                mask[j] = 1;
            }
            BertOutput o = model.forward(Tensors.longs(ids, 1, ids.length).to(model.device(), ScalarType.Long),
                    Tensors.longs(mask, 1, ids.length).to(model.device(), ScalarType.Long), false, true);
            for (int l = 0; l < o.attentions().size(); l++) {
                out.put("cell" + c.row() + ".layer" + l, Tensors.toHost(o.attentions().get(l).select(0, 0).to(ScalarType.Float)));
            }
        }
    }

    /** Upstream's gene mode: each token's contextual embedding, averaged per token over all cells. */
    static final class GeneAccumulator {
        private final int hidden;
        private final TreeMap<Integer, double[]> sums = new TreeMap<>();
        private final Map<Integer, long[]> counts = new java.util.HashMap<>();

        GeneAccumulator(int hidden) {
            this.hidden = hidden;
        }

        /** @param starts the position of each cell's first token in {@code h} (padded rows, or packed offsets) */
        synchronized void add(List<SelectedCell> batch, float[] h, long[] starts) {
            for (int r = 0; r < batch.size(); r++) {
                int[] t = batch.get(r).tokens();
                for (int j = 0; j < t.length; j++) {
                    double[] sum = sums.computeIfAbsent(t[j], k -> new double[hidden]);
                    int base = (int) ((starts[r] + j) * hidden);
                    for (int d = 0; d < hidden; d++) {
                        sum[d] += h[base + d];
                    }
                    counts.computeIfAbsent(t[j], k -> new long[1])[0]++;
                }
            }
        }

        void write(EmbeddingSink sink, GeneVocabulary vocab) throws IOException {
            sink.begin(hidden, "ensembl_id", List.of("symbol", "n_cells"));
            for (Map.Entry<Integer, double[]> e : sums.entrySet()) {
                long n = counts.get(e.getKey())[0];
                float[] mean = new float[hidden];
                for (int d = 0; d < hidden; d++) {
                    mean[d] = (float) (e.getValue()[d] / n);
                }
                String id = vocab.tokenName(e.getKey());
                String sym = vocab.symbolOf(id);
                sink.row(id, mean, new String[] {sym == null ? "" : sym, Long.toString(n)});
            }
        }
    }

}
