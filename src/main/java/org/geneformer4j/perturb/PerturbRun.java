package org.geneformer4j.perturb;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.engine.CellQuery;
import org.geneformer4j.engine.SelectedCell;
import org.geneformer4j.engine.Selection;
import org.geneformer4j.engine.TokenCheck;
import org.geneformer4j.engine.Worker;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.util.Workers;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * A whole perturbation run into a directory of shards: cells are taken in upstream's order and written
 * {@code shardCells} at a time to {@code part-FIRST-END.arrow} or {@code .csv} (positions in the whole length-sorted
 * selection; the rows are described at {@link ShardTable}), each atomically, so a killed run resumes at the first
 * missing shard and processes given disjoint cell ranges can fill one directory side by side. {@code run.json}
 * ({@link RunInfo}) says what the rows mean.
 */
public final class PerturbRun {
    private final PerturbSettings s;
    private final GeneVocabulary vocab;
    private final boolean special;
    private final ShardTable.Format format;

    public PerturbRun(PerturbSettings s, GeneVocabulary vocab) {
        this(s, vocab, "csv");
    }

    /** @param format of the shards: arrow (Feather v2) or csv */
    public PerturbRun(PerturbSettings s, GeneVocabulary vocab, String format) {
        this.s = s;
        this.format = ShardTable.Format.of(format);
        this.vocab = vocab;
        this.special = vocab.hasSpecialTokens();
    }

    public record Summary(int cells, int shardsWritten, int shardsSkipped, long perturbations, double seconds) {}

    /**
     * Runs the selection's missing shards with one worker per device: each takes the next missing shard from a
     * shared queue, so the devices stay busy whatever the cells' lengths.
     */
    public Summary run(Supplier<DatasetReader> data, List<Worker> workers, RunInfo info, Path outDir, Progress progress) {
        Selection selection;
        try (DatasetReader r = data.get()) {
            selection = query().select(r, new TokenCheck(workers.get(0).model().config(), vocab, special));
        }
        // upstream's downsample_and_sort: longest first (ties in row order), then the cell_inds_to_perturb slice
        List<SelectedCell> sorted = new ArrayList<>(selection.cells());
        sorted.sort(java.util.Comparator.comparingInt(SelectedCell::length).reversed().thenComparingInt(SelectedCell::row));
        int last = s.cellEnd() < 0 ? sorted.size() : Math.min(sorted.size(), s.cellEnd());
        int offset = Math.min(Math.max(0, s.cellStart()), last);
        List<SelectedCell> cells = new ArrayList<>(sorted.subList(offset, last));
        if (cells.isEmpty()) {
            throw new UserException("no cells to perturb in --cell-range " + s.cellStart() + ":" + s.cellEnd()
                    + " of the " + sorted.size() + " selected");
        }
        try {
            Files.createDirectories(outDir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        info.withInput(info.input().withTokens(selection.rows(), selection.tokensSha256())).writeOrCheck(outDir);
        progress.setTotal(cells.size());
        long t0 = System.nanoTime();
        List<int[]> pending = new ArrayList<>();
        int skipped = 0;
        for (int first = 0; first < cells.size(); first += s.shardCells()) {
            int end = Math.min(cells.size(), first + s.shardCells());
            if (Files.exists(outDir.resolve(shardName(offset + first, offset + end, format)))) {
                skipped++;
                progress.advance(end - first);
            } else {
                pending.add(new int[] {first, end});
            }
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong perturbations = new java.util.concurrent.atomic.AtomicLong();
        List<Runnable> jobs = new ArrayList<>();
        Workers pool = new Workers();
        for (Worker worker : workers) {
            jobs.add(() -> {
                Perturber perturber = new Perturber(worker, s.embLayer(), special, s.mode(), s.states(), s.maxTokens(), s.batchSize(), s.packed());
                for (int k = next.getAndIncrement(); !pool.failed() && k < pending.size(); k = next.getAndIncrement()) {
                    int first = pending.get(k)[0];
                    int end = pending.get(k)[1];
                    ShardTable table = new ShardTable(vocab);
                    for (SelectedCell c : cells.subList(first, end)) {
                        perturbations.addAndGet(perturbCell(perturber, c, table));
                        progress.advance(1);
                    }
                    table.write(outDir.resolve(shardName(offset + first, offset + end, format)), format);
                }
            });
        }
        pool.run(jobs, "perturb");
        progress.finish();
        return new Summary(cells.size(), pending.size(), skipped, perturbations.get(), (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Upstream's {@code apply_additional_filters}: the filters (start state included), cells holding every listed
     * gene (not for overexpression, which adds them) and the anchor gene, then the seeded {@code --max-ncells} sample.
     */
    CellQuery query() {
        java.util.Map<String, java.util.Set<String>> filters = new java.util.LinkedHashMap<>();
        s.filters().forEach((k, v) -> filters.put(k, new java.util.LinkedHashSet<>(v)));
        CellQuery q = CellQuery.all().filter(filters).sample(s.maxCells(), s.seed()).fingerprinted();
        boolean needGenes = s.genes().length > 0 && s.type() != PerturbType.OVEREXPRESS;
        if (needGenes || s.anchor() >= 0) {
            q = q.where(t -> (!needGenes || containsAll(t, s.genes())) && (s.anchor() < 0 || contains(t, s.anchor())),
                    needGenes ? "cells must contain every listed gene" : "cells must contain the anchor gene");
        }
        return q;
    }

    private static boolean containsAll(int[] tokens, int[] genes) {
        for (int g : genes) {
            if (!contains(tokens, g)) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(int[] tokens, int g) {
        for (int t : tokens) {
            if (t == g) {
                return true;
            }
        }
        return false;
    }

    static String shardName(int first, int end, ShardTable.Format format) {
        return String.format(Locale.ROOT, "part-%06d-%06d.%s", first, end, format.extension);
    }

    /** The perturbations of one cell, as upstream builds them for the run's settings. */
    List<Perturbation> perturbations(int[] ids) {
        List<Perturbation> out = new ArrayList<>();
        if (s.combos() > 0) {
            return combos(ids);
        }
        if (s.genes().length == 0) {
            for (int p : Perturbations.allPositions(ids.length, s.type(), special)) {
                out.add(switch (s.type()) {
                    case DELETE -> Perturbations.delete(ids, new int[] {p}, special);
                    case OVEREXPRESS -> Perturbations.overexpress(ids, new int[] {p}, special);
                    case INHIBIT -> Perturbations.shift(ids, p, s.rankShift(), true, special);
                    case ACTIVATE -> Perturbations.shift(ids, p, s.rankShift(), false, special);
                });
            }
            return out;
        }
        int[] positions = new int[s.genes().length];
        for (int k = 0; k < positions.length; k++) {
            positions[k] = -1;
            for (int j = 0; j < ids.length; j++) {
                if (ids[j] == s.genes()[k]) {
                    positions[k] = j;
                }
            }
        }
        switch (s.type()) {
            case DELETE -> out.add(Perturbations.delete(ids, positions, special));
            case INHIBIT, ACTIVATE -> {
                if (positions.length != 1) {
                    throw new UserException("--perturb-type " + s.type().name().toLowerCase(Locale.ROOT) + " takes one gene at a time");
                }
                out.add(Perturbations.shift(ids, positions[0], s.rankShift(), s.type() == PerturbType.INHIBIT, special));
            }
            case OVEREXPRESS -> throw new IllegalStateException("gene-list overexpression goes through perturbCell");
        }
        return out;
    }

    /**
     * Upstream's combos=1: every other gene perturbed together with the anchor (positions {@code sorted([anchor, i])}),
     * labelled anchor first. The anchor alone and every gene alone are run too, in the same batches, so that
     * {@code geneformer stats} can set each pair against the sum of its parts (upstream's stats expect those three
     * values per cell, which its perturber no longer stores).
     */
    private List<Perturbation> combos(int[] ids) {
        int anchorAt = -1;
        for (int j = 0; j < ids.length; j++) {
            if (ids[j] == s.anchor()) {
                anchorAt = j;
            }
        }
        List<Perturbation> out = new ArrayList<>();
        int first = special ? 1 : 0;
        int end = special ? ids.length - 1 : ids.length;
        out.add(single(ids, anchorAt));
        for (int p = first; p < end; p++) {
            if (p == anchorAt) {
                continue;
            }
            out.add(single(ids, p));
            int[] pair = {Math.min(anchorAt, p), Math.max(anchorAt, p)};
            Perturbation both = s.type() == PerturbType.DELETE ? Perturbations.delete(ids, pair, special)
                    : Perturbations.overexpress(ids, pair, special);
            out.add(new Perturbation(new int[] {s.anchor(), ids[p]}, both.ids(), both.originalPosition()));
        }
        return out;
    }

    private Perturbation single(int[] ids, int p) {
        return s.type() == PerturbType.DELETE ? Perturbations.delete(ids, new int[] {p}, special)
                : Perturbations.overexpress(ids, new int[] {p}, special);
    }

    private long perturbCell(Perturber perturber, SelectedCell c, ShardTable table) {
        java.util.function.Consumer<Result> sink = r -> table.add(c.id(), r);
        if (s.genes().length > 0 && s.type() == PerturbType.OVEREXPRESS) {
            Perturbations.Overexpressed o = Perturbations.overexpressTokens(c.tokens(), s.genes(), perturber.maxPositions(), special);
            // the original loses as many genes as overflowed, so both sides hold comparable gene sets
            int[] original = Perturbations.truncate(c.tokens(), o.overflow(), special);
            perturber.run(c.tokens(), original, List.of(o.perturbation()), sink);
            return 1;
        }
        List<Perturbation> ps = perturbations(c.tokens());
        perturber.run(c.tokens(), ps, sink);
        return ps.size();
    }
}
