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
import org.geneformer4j.embed.TokenCheck;
import org.geneformer4j.model.BertModel;
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

    public Summary run(Supplier<DatasetReader> data, BertModel model, RunInfo info, Path outDir, Progress progress) {
        return run(data, List.of(model), info, outDir, progress);
    }

    /**
     * As {@link #run(Supplier, BertModel, RunInfo, Path, Progress)} with one worker per model (one per GPU): each
     * takes the next missing shard from a shared queue, so the devices stay busy whatever the cells' lengths.
     */
    public Summary run(Supplier<DatasetReader> data, List<BertModel> models, RunInfo info, Path outDir, Progress progress) {
        CellSource.Selection selection;
        try (DatasetReader r = data.get()) {
            selection = CellSource.load(r, s, new TokenCheck(models.get(0).config(), vocab, special));
        }
        List<CellSource.Cell> cells = selection.cells();
        if (cells.isEmpty()) {
            throw new UserException("no cells to perturb after filtering" + (s.genes().length > 0 ? " (cells must contain every listed gene)"
                    : s.anchor() >= 0 ? " (cells must contain the anchor gene)" : ""));
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
            if (Files.exists(outDir.resolve(shardName(selection.offset() + first, selection.offset() + end, format)))) {
                skipped++;
                progress.advance(end - first);
            } else {
                pending.add(new int[] {first, end});
            }
        }
        java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicLong perturbations = new java.util.concurrent.atomic.AtomicLong();
        List<Runnable> workers = new ArrayList<>();
        Workers pool = new Workers();
        for (BertModel model : models) {
            workers.add(() -> {
                Perturber perturber = new Perturber(model, s.embLayer(), special, s.mode(), s.states(), s.maxTokens(), s.batchSize());
                for (int k = next.getAndIncrement(); !pool.failed() && k < pending.size(); k = next.getAndIncrement()) {
                    int first = pending.get(k)[0];
                    int end = pending.get(k)[1];
                    ShardTable table = new ShardTable(vocab);
                    for (CellSource.Cell c : cells.subList(first, end)) {
                        perturbations.addAndGet(perturbCell(perturber, c, table));
                        progress.advance(1);
                    }
                    table.write(outDir.resolve(shardName(selection.offset() + first, selection.offset() + end, format)), format);
                }
            });
        }
        pool.run(workers, "perturb");
        progress.finish();
        return new Summary(cells.size(), pending.size(), skipped, perturbations.get(), (System.nanoTime() - t0) / 1e9);
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

    private long perturbCell(Perturber perturber, CellSource.Cell c, ShardTable table) {
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
