package org.geneformer4j.tokenize;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.HfDatasetWriter;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.counts.CellMatrixReader;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.counts.ObsColumn;
import org.geneformer4j.counts.ObsTable;
import org.geneformer4j.counts.Readers;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Tokenizes single-cell count files into a Hugging Face dataset, as upstream's
 * {@code TranscriptomeTokenizer.tokenize_data}: one row per cell that passes {@code filter_pass}, in input order,
 * with {@code input_ids}, the requested obs attributes, {@code cell_id} and {@code length}.
 *
 * <p>While workers encode one block of cells, the next block is read on its own thread; output order never
 * depends on the thread count.
 */
public final class Tokenizer {
    private Integer nativeDevice;
    private long nativeAllocations;
    private long nativeBytes;
    private long nativeFallbackCells;
    public static final String CELL_ID = "cell_id";
    private static final String N_COUNTS = "n_counts";
    private static final String FILTER_PASS = "filter_pass";

    private final TokenizerSettings settings;
    private final GeneVocabulary vocab;
    private final Consumer<String> log;

    public Tokenizer(TokenizerSettings settings, GeneVocabulary vocab, Consumer<String> log) {
        if (settings.specialTokens() && !vocab.hasSpecialTokens()) {
            throw new UserException("special tokens requested but the " + vocab.name()
                    + " vocabulary has no <cls>/<eos> (use --no-special-tokens, or the V2 vocabulary)");
        }
        if (!settings.specialTokens() && vocab.hasSpecialTokens()) {
            log.accept("warning: the " + vocab.name() + " vocabulary has <cls>/<eos> but special tokens are off");
        }
        if (settings.maxGenes() < 1) {
            throw new UserException("--input-size " + settings.inputSize() + " leaves no room for genes");
        }
        this.settings = settings;
        this.vocab = vocab;
        this.log = log;
    }

    /** Tokenizes input files, concatenated in the order given, into the dataset directory {@code output}. */
    public TokenizeReport run(List<Path> inputs, Readers.Options readOptions, Path output, boolean overwrite,
                              Progress progress) throws IOException {
        List<Supplier<CellMatrixReader>> sources = new ArrayList<>();
        for (Path p : inputs) sources.add(() -> Readers.open(p, readOptions));
        return runAll(sources, settings.prefixCellIds() ? cellIdPrefixes(inputs) : null, true, output, overwrite, progress);
    }

    /** Tokenizes one already opened input (library use); the caller closes it. */
    public TokenizeReport run(CellMatrixReader input, Path output) throws IOException {
        return runAll(List.of(() -> input), settings.prefixCellIds() ? cellIdPrefixes(List.of(input.path())) : null, false,
                output, false, Progress.silent());
    }

    /**
     * @param prefixes each input's cell id prefix, or null to keep the ids as they are
     * @param owned whether the readers are this run's to close
     */
    private TokenizeReport runAll(List<Supplier<CellMatrixReader>> inputs, List<String> prefixes, boolean owned, Path output,
                                  boolean overwrite, Progress progress) throws IOException {
        if (inputs.isEmpty()) {
            throw new UserException("no input files");
        }
        List<String> notes = new ArrayList<>();
        Consumer<String> note = s -> {
            notes.add(s);
            log.accept("warning: " + s);
        };
        List<Column> schema = null;
        Path firstInput = null;
        long read = 0, written = 0, empty = 0, truncated = 0;
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, settings.threads()), daemon("tokenize"));
        ExecutorService reader = Executors.newSingleThreadExecutor(daemon("read"));
        HfDatasetWriter writer = null;
        Throwable failure = null;
        Map<String, Path> seenIds = new HashMap<>();
        try {
            for (int k = 0; k < inputs.size(); k++) {
                CellMatrixReader in = inputs.get(k).get();
                try {
                    Path input = in.path();
                    InputPlan ip = prepare(in, prefixes == null ? null : prefixes.get(k), note);
                    if (inputs.size() > 1) checkUniqueAcrossInputs(input, ip, seenIds);
                    if (schema == null) {
                        schema = ip.schema;
                        firstInput = input;
                        writer = new HfDatasetWriter(output, schema, overwrite, HfDatasetWriter.DEFAULT_SHARD_BYTES);
                    } else if (!schema.equals(ip.schema)) {
                        throw new UserException(input + ": its output columns " + ip.schema + " differ from those of "
                                + firstInput + ": " + schema);
                    }
                    progress.setLabel("tokenize " + input.getFileName());
                    progress.setTotal(progress.done() + ip.kept.length);
                    long[] counts = encodeAll(in, ip, writer, workers, reader, progress);
                    if (settings.minVocabCoverage() > 0 && 2 * counts[0] > ip.kept.length) {
                        // most cells empty: the gene match is too thin for the embeddings to mean anything
                        throw new UserException(input + ": " + counts[0] + " of " + ip.kept.length + " cells have no"
                                + " expressed gene of the " + vocab.name() + " vocabulary (genes read from "
                                + in.geneIdSource(settings.geneColumn()) + "); check the gene column (--gene-column),"
                                + " or pass --min-vocab-coverage 0 to tokenize anyway");
                    }
                    read += in.nCells();
                    written += ip.kept.length;
                    empty += counts[0];
                    truncated += counts[1];
                } catch (Throwable t) {
                    failure = t;
                    throw t;
                } finally {
                    if (owned) Closing.close(in, failure);
                }
            }
            if (empty > 0) {
                note.accept(empty + " cell(s) have no expressed vocabulary gene and are written as "
                        + (settings.specialTokens() ? "[<cls>, <eos>]" : "[] (empty)"));
            }
            Path out = writer.commit();
            progress.finish();
            return new TokenizeReport(out, read, written, empty, truncated, notes);
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            workers.shutdownNow();
            reader.shutdownNow();
            Closing.close(writer, failure); // the first error wins: a close error after it is only suppressed
        }
    }

    /** Everything decided about one input before its cells are read. */
    private record InputPlan(GenePlan plan, int[] kept, double[] nCounts, boolean countsFromMatrix,
                             String[] cellIds, List<ObsColumn> attrs, boolean writeCellId, List<Column> schema,
                             Normalization normalization) {
    }

    private InputPlan prepare(CellMatrixReader in, String idPrefix, Consumer<String> note) {
        Path p = in.path();
        ObsTable obs = in.obs();
        List<String> geneNotes = new ArrayList<>();
        List<String> geneIds = in.geneIds(settings.geneColumn(), geneNotes);
        geneNotes.forEach(note);
        GenePlan plan = GenePlan.build(vocab, geneIds, settings.collapseGeneIds(), p.toString());
        if (plan.summedColumns() > 0) {
            log.accept(p.getFileName() + ": " + plan.summedColumns() + " gene columns map to a shared vocabulary gene; their counts are summed");
        }
        log.accept(p.getFileName() + ": " + in.nCells() + " cells, " + plan.mappedColumns() + " of " + in.nGenes()
                + " genes in the " + vocab.name() + " vocabulary");
        double coverage = plan.mappedColumns() / (double) Math.max(1, in.nGenes());
        if (coverage < settings.minVocabCoverage()) {
            throw new UserException(String.format(Locale.ROOT, "%s: only %d of %d genes (%.1f%%) of %s are in the %s vocabulary,"
                    + " below --min-vocab-coverage %s; check the gene column (--gene-column) and the species, or pass"
                    + " --min-vocab-coverage 0 to tokenize anyway", p, plan.mappedColumns(), in.nGenes(), 100 * coverage,
                    in.geneIdSource(settings.geneColumn()), vocab.name(), settings.minVocabCoverage()));
        }

        String[] ids = idPrefix == null ? obs.index() : prefixed(idPrefix, obs.index());
        List<ObsColumn> attrs = new ArrayList<>();
        List<Column> schema = new ArrayList<>();
        schema.add(new Column("input_ids", ColumnType.INT32_LIST));
        boolean cellIdMapped = false;
        for (Map.Entry<String, String> e : settings.attributes().entrySet()) {
            ObsColumn c = obs.column(e.getKey());
            if (c == null && !e.getKey().equals(CELL_ID)) {
                throw new UserException(p + ": no obs column '" + e.getKey() + "' for --attr (available: "
                        + (obs.names().isEmpty() ? "none" : String.join(", ", obs.names())) + ")");
            }
            if (c == null) {
                c = ObsColumn.strings(CELL_ID, ids);
            }
            attrs.add(c);
            schema.add(new Column(e.getValue(), typeOf(c)));
            cellIdMapped |= e.getValue().equals(CELL_ID);
        }
        if (!cellIdMapped) {
            schema.add(new Column(CELL_ID, ColumnType.STRING));
            Map<String, Integer> seen = new HashMap<>(ids.length * 2);
            for (int i = 0; i < ids.length; i++) {
                Integer prev = seen.put(ids[i], i);
                if (prev != null) {
                    throw new UserException(p + ": duplicate cell id '" + ids[i] + "' (cells " + prev + " and " + i
                            + "); cell ids must be unique to join results back (make them unique, e.g. anndata's obs_names_make_unique)");
                }
            }
        }
        schema.add(new Column("length", ColumnType.INT64));

        int n = in.nCells();
        double[] nCounts = new double[n];
        boolean fromMatrix = !obs.has(N_COUNTS);
        if (fromMatrix) {
            note.accept(p.getFileName() + " has no obs column 'n_counts'; computing it as each cell's total count over all genes");
        } else {
            ObsColumn c = obs.column(N_COUNTS);
            if (!c.isNumeric()) {
                throw new UserException(p + ": obs column 'n_counts' is not numeric");
            }
            for (int i = 0; i < n; i++) nCounts[i] = c.asDouble(i);
        }
        int[] kept;
        if (obs.has(FILTER_PASS)) {
            ObsColumn f = obs.column(FILTER_PASS);
            int k = 0;
            int[] tmp = new int[n];
            for (int i = 0; i < n; i++) if (f.asDouble(i) == 1) tmp[k++] = i;
            kept = java.util.Arrays.copyOf(tmp, k);
            if (k < n) log.accept(p.getFileName() + ": filter_pass keeps " + k + " of " + n + " cells");
        } else {
            kept = new int[n];
            for (int i = 0; i < n; i++) kept[i] = i;
        }
        // float32 arithmetic only where upstream would get it: float32 X and float32 n_counts from the file
        boolean float32 = in.float32Values() && !fromMatrix && obs.column(N_COUNTS).kind() == ObsColumn.Kind.FLOAT;
        Normalization norm = new Normalization(in.denseInUpstream() ? Normalization.Path.NUMPY_DENSE
                : Normalization.Path.SCIPY_SPARSE, float32, settings.targetSum());
        return new InputPlan(plan, kept, nCounts, fromMatrix, ids, attrs, !cellIdMapped, schema, norm);
    }

    /** The input's name without its format's extension: {@code s1.h5ad} → {@code s1}, a 10x folder → its name. */
    static String stem(Path input) {
        String name = input.getFileName().toString();
        return name.replaceFirst("(\\.(h5ad|loom|h5|mtx|gz))+$", "");
    }

    /**
     * Each input's file stem; where stems repeat (10x folders are all called {@code filtered_feature_bc_matrix}) the
     * stem followed by the input's 1-based position in the list, so that the prefixes differ.
     */
    static List<String> cellIdPrefixes(List<Path> inputs) {
        Map<String, Integer> count = new HashMap<>();
        for (Path p : inputs) count.merge(stem(p), 1, Integer::sum);
        List<String> out = new ArrayList<>();
        for (int k = 0; k < inputs.size(); k++) {
            String stem = stem(inputs.get(k));
            out.add(count.get(stem) > 1 ? stem + "-" + (k + 1) : stem);
        }
        return out;
    }

    private static String[] prefixed(String prefix, String[] ids) {
        String[] out = new String[ids.length];
        for (int i = 0; i < ids.length; i++) out[i] = prefix + ":" + ids[i];
        return out;
    }

    /**
     * Cell ids must stay unique over all inputs, as within one, or results cannot be joined back to cells; 10x
     * barcodes repeat across samples, which is what {@code --prefix-cell-ids} is for.
     */
    private void checkUniqueAcrossInputs(Path input, InputPlan ip, Map<String, Path> seen) {
        if (!ip.writeCellId) {
            return; // cell_id comes from an obs column the user chose (--attr): theirs to keep unique
        }
        for (int i : ip.kept) {
            Path first = seen.putIfAbsent(ip.cellIds[i], input);
            if (first != null) {
                throw new UserException(input + ": cell id '" + ip.cellIds[i] + "' is also in " + first
                        + "; cell ids must be unique across the inputs (pass --prefix-cell-ids to prefix each with"
                        + " its input's name, e.g. '" + stem(input) + ":" + ip.cellIds[i] + "')");
            }
        }
    }

    private static ColumnType typeOf(ObsColumn c) {
        return switch (c.kind()) {
            case STRING -> ColumnType.STRING;
            case LONG -> ColumnType.INT64;
            case DOUBLE -> ColumnType.FLOAT64;
            case FLOAT -> ColumnType.FLOAT32;
            case BOOL -> ColumnType.BOOL;
        };
    }

    /** Encodes the kept cells block by block; returns {empty cells, truncated cells}. */
    private long[] encodeAll(CellMatrixReader in, InputPlan ip, HfDatasetWriter writer, ExecutorService workers,
                             ExecutorService reader, Progress progress) throws IOException {
        int threads = Math.max(1, settings.threads());
        int chunk = Math.max(1, settings.chunkSize());
        // the kernel wants many cells per launch; the CPU paths keep blocks small for the worker threads
        int blockRows = nativeDevice != null && nativeDevice >= 0 ? Math.max(chunk * threads, 65536) : chunk * threads;
        int cls = settings.specialTokens() ? vocab.cls() : -1;
        int eos = settings.specialTokens() ? vocab.eos() : -1;
        ThreadLocal<RankValueEncoder> encoders = ThreadLocal.withInitial(() -> new RankValueEncoder(ip.plan,
                ip.normalization, settings.maxGenes(), cls, eos, settings.allowNonInteger()));
        NativeBlockEncoder nat = nativeDevice == null ? null : new NativeBlockEncoder(ip.plan, ip.normalization,
                settings.maxGenes(), cls, eos, settings.allowNonInteger(), nativeDevice);
        Throwable failure = null;
        try {
            if (nat != null) {
                return encodeAllNative(nat, in, ip, writer, reader, progress, blockRows);
            }
            int nKept = ip.kept.length;
            long empty = 0, truncated = 0;
            int first = 0;
            Future<CsrBlock> nextRead = nKept == 0 ? null : submitRead(reader, in, ip.kept, 0, Math.min(nKept, blockRows));
            while (first < nKept) {
                int last = Math.min(nKept, first + blockRows);
                CsrBlock block = await(nextRead);
                nextRead = last < nKept ? submitRead(reader, in, ip.kept, last, Math.min(nKept, last + blockRows)) : null;
                int[][] tokens = new int[last - first][];
                boolean[] cut = new boolean[last - first];
                List<Future<?>> jobs = new ArrayList<>();
                final int base = first;
                for (int c = first; c < last; c += chunk) {
                    final int from = c, to = Math.min(last, c + chunk);
                    jobs.add(workers.submit(() -> {
                        RankValueEncoder enc = encoders.get();
                        for (int k = from; k < to; k++) {
                            int cell = ip.kept[k];
                            int row = cell - block.firstRow();
                            double nc = ip.countsFromMatrix ? block.rowSum(row) : ip.nCounts[cell];
                            tokens[k - base] = enc.encode(block, row, nc, ip.cellIds[cell]);
                            cut[k - base] = enc.lastGenes() > settings.maxGenes();
                        }
                    }));
                }
                for (Future<?> j : jobs) await(j);
                int specials = settings.specialTokens() ? 2 : 0;
                for (int k = 0; k < last - first; k++) {
                    if (tokens[k].length == specials) empty++;
                    if (cut[k]) truncated++;
                }
                writer.write(batch(ip, first, last, tokens));
                progress.advance(last - first);
                first = last;
            }
            return new long[] {empty, truncated};
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            // blocks still in flight when a run fails make the pool's close fail too: that must not hide why
            Closing.close(nat, failure);
        }
    }

    /**
     * The native path, pipelined: block i+1 is read, packed and submitted while block i is still on the device
     * (two streams); blocks are collected and written in order. Returns {empty cells, truncated cells}.
     */
    private long[] encodeAllNative(NativeBlockEncoder nat, CellMatrixReader in, InputPlan ip, HfDatasetWriter writer,
                                   ExecutorService reader, Progress progress, int blockRows) throws IOException {
        int nKept = ip.kept.length;
        int specials = settings.specialTokens() ? 2 : 0;
        long empty = 0, truncated = 0;
        NativeBlockEncoder.Pending prev = null;
        int prevFirst = 0, prevLast = 0;
        int first = 0;
        Future<CsrBlock> nextRead = nKept == 0 ? null : submitRead(reader, in, ip.kept, 0, Math.min(nKept, blockRows));
        while (first < nKept || prev != null) {
            NativeBlockEncoder.Pending cur = null;
            int last = first;
            if (first < nKept) {
                last = Math.min(nKept, first + blockRows);
                CsrBlock block = await(nextRead);
                nextRead = last < nKept ? submitRead(reader, in, ip.kept, last, Math.min(nKept, last + blockRows)) : null;
                cur = submitNative(nat, block, ip, first, last);
            }
            if (prev != null) {
                int n = prevLast - prevFirst;
                int[][] tokens = new int[n][];
                int[] genes = new int[n];
                nat.collect(prev, tokens, genes);
                nativeFallbackCells += nat.lastTooLong();
                for (int k = 0; k < n; k++) {
                    if (tokens[k].length == specials) empty++;
                    if (genes[k] > settings.maxGenes()) truncated++;
                }
                writer.write(batch(ip, prevFirst, prevLast, tokens));
                progress.advance(n);
            }
            prev = cur;
            prevFirst = first;
            prevLast = last;
            first = last;
        }
        nativeAllocations = nat.pool().allocations();
        nativeBytes = nat.pool().bytesAllocated();
        return new long[] {empty, truncated};
    }

    private static NativeBlockEncoder.Pending submitNative(NativeBlockEncoder nat, CsrBlock block, InputPlan ip, int first, int last) {
        int n = last - first;
        int[] rows = new int[n];
        double[] counts = new double[n];
        String[] ids = new String[n];
        for (int k = first; k < last; k++) {
            int cell = ip.kept[k];
            rows[k - first] = cell - block.firstRow();
            counts[k - first] = ip.countsFromMatrix ? block.rowSum(rows[k - first]) : ip.nCounts[cell];
            ids[k - first] = ip.cellIds[cell];
        }
        return nat.submit(block, rows, counts, ids);
    }

    /**
     * Encodes with libgeneformer_native: the CUDA kernel on {@code device}, or its C++ CPU twin for -1; null (the
     * default) uses the Java encoder on {@code threads} threads.
     */
    public Tokenizer useNative(Integer device) {
        this.nativeDevice = device;
        return this;
    }

    /** Native buffers the last run allocated (its pool's counter): constant in blocks once warm. */
    public long nativeAllocations() {
        return nativeAllocations;
    }

    /** What the native path of the last run did: buffers and bytes allocated, cells too long for the kernel. */
    public String nativeSummary() {
        return nativeAllocations + " native buffers (" + (nativeBytes >> 20) + " MiB) allocated; " + nativeFallbackCells
                + " cell(s) too long for the kernel encoded on the CPU";
    }

    /** Reads the rows spanning kept cells [from, to): one contiguous range, filtered cells skipped later. */
    private static Future<CsrBlock> submitRead(ExecutorService reader, CellMatrixReader in, int[] kept, int from, int to) {
        int start = kept[from], end = kept[to - 1] + 1;
        return reader.submit(() -> in.readRows(start, end));
    }

    private RowBatch batch(InputPlan ip, int first, int last, int[][] tokens) {
        int n = last - first;
        int[] rows = java.util.Arrays.copyOfRange(ip.kept, first, last);
        List<Object> cols = new ArrayList<>();
        cols.add(tokens);
        for (ObsColumn a : ip.attrs) cols.add(a.select(rows).values());
        if (ip.writeCellId) {
            String[] ids = new String[n];
            for (int i = 0; i < n; i++) ids[i] = ip.cellIds[rows[i]];
            cols.add(ids);
        }
        long[] len = new long[n];
        for (int i = 0; i < n; i++) len[i] = tokens[i].length;
        cols.add(len);
        return new RowBatch(n, cols.toArray());
    }

    private static <T> T await(Future<T> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof UserException u) throw u;
            if (c instanceof IOException io) throw io;
            if (c instanceof RuntimeException r) throw r;
            throw new IOException(c);
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
