package org.geneformer4j.tokenize;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.kernel.BufferPool;
import org.geneformer4j.kernel.BufferPool.Kind;
import org.geneformer4j.kernel.GeneformerNative;
import org.geneformer4j.kernel.GeneformerNative.gf_cells;
import org.geneformer4j.kernel.GeneformerNative.gf_rank_plan;
import org.geneformer4j.util.UserException;

/**
 * Rank-value encoding of whole blocks by {@code libgeneformer_native}: the fused CUDA kernel (device >= 0) or its
 * C++ CPU twin (device -1). Same contract as {@link RankValueEncoder}; cells the kernel cannot hold in shared memory
 * come back marked and are encoded by the Java encoder. Buffers come from one {@link BufferPool}, reused block
 * after block; on a GPU two streams alternate, so one block's copies and kernel overlap the next block's reading.
 */
final class NativeBlockEncoder implements AutoCloseable {
    private final GenePlan plan;
    private final RankValueEncoder fallback;
    private final int device;
    private final int stride;
    private final BufferPool pool;
    private final gf_rank_plan nplan = new gf_rank_plan();
    private final Pointer[] keep;
    private final GeneformerNative.gf_device_plan dplan;
    private final Pointer[] streams;
    private int submitted;
    private int lastTooLong;

    NativeBlockEncoder(GenePlan plan, Normalization norm, int maxGenes, int cls, int eos, boolean allowNonInteger,
            int device) {
        this.plan = plan;
        this.fallback = new RankValueEncoder(plan, norm, maxGenes, cls, eos, allowNonInteger);
        this.device = device;
        this.stride = maxGenes + 2;
        this.pool = new BufferPool(Math.max(0, device));
        int slots = plan.genes();
        double[] inv = new double[slots];
        byte[] summed = new byte[slots];
        boolean any = false;
        for (int s = 0; s < slots; s++) {
            inv[s] = 1.0 / plan.slotMedian[s];
            summed[s] = (byte) (plan.slotSummed[s] ? 1 : 0);
            any |= plan.slotSummed[s];
        }
        IntPointer soc = new IntPointer(plan.slotOfColumn);
        IntPointer tok = new IntPointer(plan.slotToken);
        DoublePointer med = new DoublePointer(plan.slotMedian);
        DoublePointer invp = new DoublePointer(inv);
        BytePointer sum = new BytePointer(summed);
        keep = new Pointer[] {soc, tok, med, invp, sum};
        nplan.n_columns(plan.slotOfColumn.length).n_slots(slots).slot_of_column(soc).slot_token(tok).slot_median(med)
                .slot_inv_median(invp).slot_summed(sum).any_summed(any ? 1 : 0).scipy_path(norm.path() == Normalization.Path.SCIPY_SPARSE ? 1 : 0)
                .float32(norm.float32() ? 1 : 0).target_sum(norm.targetSum()).max_genes(maxGenes).cls(cls).eos(eos)
                .allow_non_integer(allowNonInteger ? 1 : 0);
        if (device >= 0) {
            dplan = GeneformerNative.gf_cuda_plan_create(nplan, device);
            streams = new Pointer[] {GeneformerNative.gf_cuda_stream_create(device), GeneformerNative.gf_cuda_stream_create(device)};
            if (dplan == null || dplan.isNull() || streams[0] == null || streams[0].isNull() || streams[1] == null || streams[1].isNull()) {
                throw new UserException("cannot set up the CUDA tokenizer on device " + device + ": "
                        + GeneformerNative.gf_cuda_last_error().getString());
            }
        } else {
            dplan = null;
            streams = null;
        }
    }

    /** The buffers' pool, for its allocation counter. */
    BufferPool pool() {
        return pool;
    }

    /** Cells of the last block that were too long for the kernel and went through the Java encoder. */
    int lastTooLong() {
        return lastTooLong;
    }

    /** A block in flight: its inputs (for the Java fallback), its lane and its buffers. */
    final class Pending {
        final CsrBlock block;
        final int[] rows;
        final double[] nCounts;
        final String[] ids;
        final int lane;
        final BufferPool.Buffer[] host;
        final BufferPool.Buffer[] dev;

        private Pending(CsrBlock block, int[] rows, double[] nCounts, String[] ids, int lane, BufferPool.Buffer[] host,
                BufferPool.Buffer[] dev) {
            this.block = block;
            this.rows = rows;
            this.nCounts = nCounts;
            this.ids = ids;
            this.lane = lane;
            this.host = host;
            this.dev = dev;
        }
    }

    /**
     * Starts encoding rows {@code rows[i]} of {@code block} (block-relative) with totals {@code nCounts[i]}: on a
     * GPU the copies, the kernel and the copies back are queued on one of two streams and this returns at once, so
     * the caller reads and packs the next block while the device works (double buffering); the CPU twin runs here.
     * At most two blocks may be in flight; {@link #collect} each, in order.
     */
    Pending submit(CsrBlock block, int[] rows, double[] nCounts, String[] ids) {
        int n = rows.length;
        long nnz = 0;
        int longest = 0;
        for (int r : rows) {
            int len = block.indptr()[r + 1] - block.indptr()[r];
            nnz += len;
            longest = Math.max(longest, len);
        }
        int lane = submitted++ % 2;
        Kind kind = device >= 0 ? Kind.PINNED : Kind.HOST;
        BufferPool.Buffer[] host = {pool.acquire(kind, 8L * (n + 1)), pool.acquire(kind, 4L * Math.max(1, nnz)),
                pool.acquire(kind, 8L * Math.max(1, nnz)), pool.acquire(kind, 8L * n), pool.acquire(kind, 4L * stride * n),
                pool.acquire(kind, 4L * n), pool.acquire(kind, 4L * n)};
        LongPointer indptr = new LongPointer(host[0].pointer()).capacity(n + 1);
        IntPointer idx = new IntPointer(host[1].pointer()).capacity(nnz);
        DoublePointer val = new DoublePointer(host[2].pointer()).capacity(nnz);
        DoublePointer cnt = new DoublePointer(host[3].pointer()).capacity(n);
        long at = 0;
        for (int i = 0; i < n; i++) {
            indptr.put(i, at);
            int from = block.indptr()[rows[i]], to = block.indptr()[rows[i] + 1];
            idx.position(at).put(block.indices(), from, to - from);
            val.position(at).put(block.values(), from, to - from);
            at += to - from;
            cnt.put(i, nCounts[i]);
        }
        indptr.put(n, at);
        idx.position(0);
        val.position(0);
        IntPointer tok = new IntPointer(host[4].pointer()).capacity((long) stride * n);
        IntPointer len = new IntPointer(host[5].pointer()).capacity(n);
        IntPointer gen = new IntPointer(host[6].pointer()).capacity(n);
        BufferPool.Buffer[] dev = null;
        try (gf_cells cells = new gf_cells().n_cells(n)) {
            if (device < 0) {
                cells.indptr(indptr).indices(idx).values(val).n_counts(cnt);
                GeneformerNative.gf_rank_encode_cpu(nplan, cells, stride, tok, len, gen);
            } else {
                Pointer stream = streams[lane];
                dev = new BufferPool.Buffer[host.length];
                for (int k = 0; k < host.length; k++) {
                    dev[k] = pool.acquire(Kind.DEVICE, host[k].capacity());
                }
                check(GeneformerNative.gf_cuda_copy_h2d(dev[0].pointer(), indptr, 8L * (n + 1), stream));
                check(GeneformerNative.gf_cuda_copy_h2d(dev[1].pointer(), idx, 4L * nnz, stream));
                check(GeneformerNative.gf_cuda_copy_h2d(dev[2].pointer(), val, 8L * nnz, stream));
                check(GeneformerNative.gf_cuda_copy_h2d(dev[3].pointer(), cnt, 8L * n, stream));
                cells.indptr(new LongPointer(dev[0].pointer())).indices(new IntPointer(dev[1].pointer()))
                        .values(new DoublePointer(dev[2].pointer())).n_counts(new DoublePointer(dev[3].pointer()));
                check(GeneformerNative.gf_cuda_rank_encode(dplan, cells, longest, stride, new IntPointer(dev[4].pointer()),
                        new IntPointer(dev[5].pointer()), new IntPointer(dev[6].pointer()), stream));
                check(GeneformerNative.gf_cuda_copy_d2h(tok, dev[4].pointer(), 4L * stride * n, stream));
                check(GeneformerNative.gf_cuda_copy_d2h(len, dev[5].pointer(), 4L * n, stream));
                check(GeneformerNative.gf_cuda_copy_d2h(gen, dev[6].pointer(), 4L * n, stream));
            }
        }
        return new Pending(block, rows, nCounts, ids, lane, host, dev);
    }

    /** Waits for a submitted block and fills {@code tokens[i]} and {@code genes[i]} (expressed genes before truncation). */
    void collect(Pending p, int[][] tokens, int[] genes) {
        try {
            if (device >= 0) {
                check(GeneformerNative.gf_cuda_stream_sync(streams[p.lane]));
            }
            int n = p.rows.length;
            IntPointer tok = new IntPointer(p.host[4].pointer()).capacity((long) stride * n);
            IntPointer len = new IntPointer(p.host[5].pointer()).capacity(n);
            IntPointer gen = new IntPointer(p.host[6].pointer()).capacity(n);
            lastTooLong = 0;
            for (int i = 0; i < n; i++) {
                int l = len.get(i);
                if (l == TOO_LONG) {
                    lastTooLong++;
                    tokens[i] = fallback.encode(p.block, p.rows[i], p.nCounts[i], p.ids[i]);
                    genes[i] = fallback.lastGenes();
                } else if (l < 0) {
                    // the Java encoder words the error exactly as the CPU path does
                    fallback.encode(p.block, p.rows[i], p.nCounts[i], p.ids[i]);
                    throw new IllegalStateException("native encoder refused cell " + p.ids[i] + " that the Java encoder accepts");
                } else {
                    tokens[i] = new int[l];
                    tok.position((long) i * stride).get(tokens[i]);
                    tok.position(0);
                    genes[i] = gen.get(i);
                }
            }
        } finally {
            for (BufferPool.Buffer b : p.host) {
                pool.release(b);
            }
            if (p.dev != null) {
                for (BufferPool.Buffer b : p.dev) {
                    pool.release(b);
                }
            }
        }
    }

    /** GF_TOO_LONG of geneformer_native.h. */
    private static final int TOO_LONG = -3;

    private static void check(int code) {
        if (code != 0) {
            throw new UserException("CUDA error in the tokenizer: " + GeneformerNative.gf_cuda_last_error().getString());
        }
    }

    @Override
    public void close() {
        if (dplan != null) {
            GeneformerNative.gf_cuda_plan_destroy(dplan);
            for (Pointer st : streams) {
                if (st != null && !st.isNull()) {
                    GeneformerNative.gf_cuda_stream_destroy(st);
                }
            }
        }
        nplan.close();
        for (Pointer p : keep) {
            p.close();
        }
        pool.close(); // last: it throws if buffers are still checked out, and the rest must be freed regardless
    }
}
