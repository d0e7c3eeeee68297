package org.geneformer4j.tokenize;

import java.util.Arrays;
import org.geneformer4j.counts.CsrBlock;
import org.geneformer4j.util.UserException;

/**
 * Rank-value encoding of one cell, exactly as upstream: {@code v = x / n_counts * target_sum / median} with
 * upstream's arithmetic for the input's dtypes ({@link Normalization}), zeros and non-vocabulary genes dropped, genes sorted by descending {@code v}
 * (ties in slot order, i.e. a stable sort), truncated, then wrapped in {@code <cls>} ... {@code <eos>} for V2.
 *
 * <p>Not thread-safe: each worker thread owns one encoder and its scratch buffers.
 */
final class RankValueEncoder {
    /** Values of a positive double keep their order in the upper 48 bits of their IEEE representation. */
    private static final int LOW_BITS = 16;
    private static final long HIGH_MAX = (1L << (64 - LOW_BITS)) - 1;
    private static final int RADIX_MIN = 256;

    private final GenePlan plan;
    private final Normalization norm;
    private final double[] inverseMedian;
    private final int maxGenes;
    private final int cls;
    private final int eos;
    private final boolean allowNonInteger;
    private final boolean packedSort;

    private final double[] sumBySlot;
    private final double[] valueBySlot;
    private int lastGenes;
    private int[] touched = new int[64];
    private int[] slots = new int[1024];
    private long[] keys = new long[1024];
    private long[] radixScratch = new long[1024];
    private final int[] radixCount = new int[257];

    /**
     * @param cls token to put first, or -1 for none; {@code eos} likewise last
     */
    RankValueEncoder(GenePlan plan, Normalization norm, int maxGenes, int cls, int eos, boolean allowNonInteger) {
        this.plan = plan;
        this.norm = norm;
        this.inverseMedian = new double[plan.genes()];
        for (int s = 0; s < plan.genes(); s++) inverseMedian[s] = 1.0 / plan.slotMedian[s];
        this.maxGenes = maxGenes;
        this.cls = cls;
        this.eos = eos;
        this.allowNonInteger = allowNonInteger;
        this.packedSort = plan.genes() <= (1 << LOW_BITS);
        this.sumBySlot = new double[plan.genes()];
        this.valueBySlot = new double[plan.genes()];
    }

    /**
     * Tokens of one row of the block.
     *
     * @param nCounts the cell's total count over all genes (obs {@code n_counts})
     * @param cellId  for error messages
     */
    int[] encode(CsrBlock block, int row, double nCounts, String cellId) {
        int[] idx = block.indices();
        double[] val = block.values();
        int from = block.indptr()[row];
        int to = block.indptr()[row + 1];
        int n = 0;
        int nTouched = 0;
        ensure(to - from);
        for (int k = from; k < to; k++) {
            double x = val[k];
            if (!(x >= 0) || Double.isInfinite(x) || (!allowNonInteger && x != Math.rint(x))) {
                throw badValue(x, cellId);
            }
            int s = plan.slotOfColumn[idx[k]];
            if (s < 0 || x == 0) {
                continue;
            }
            if (plan.slotSummed[s]) {
                if (sumBySlot[s] == 0) {
                    if (nTouched == touched.length) touched = Arrays.copyOf(touched, nTouched * 2);
                    touched[nTouched++] = s;
                }
                sumBySlot[s] += x;
            } else {
                valueBySlot[s] = x;
                slots[n++] = s;
            }
        }
        for (int t = 0; t < nTouched; t++) {
            int s = touched[t];
            valueBySlot[s] = sumBySlot[s];
            sumBySlot[s] = 0;
            slots[n++] = s;
        }
        if (n > 0 && !(nCounts > 0)) {
            throw new UserException("cell " + cellId + " has n_counts = " + nCounts
                    + " but expressed genes; n_counts must be the cell's total count over all genes");
        }
        double factor = norm.cellFactor(nCounts);
        for (int i = 0; i < n; i++) {
            int s = slots[i];
            valueBySlot[s] = norm.value(valueBySlot[s], factor, plan.slotMedian[s], inverseMedian[s]);
        }
        sortDescending(n);
        lastGenes = n;
        int kept = Math.min(n, maxGenes);
        int extra = cls >= 0 ? 2 : 0;
        int[] out = new int[kept + extra];
        int w = 0;
        if (cls >= 0) out[w++] = cls;
        for (int i = 0; i < kept; i++) out[w++] = plan.slotToken[slots[i]];
        if (eos >= 0) out[w] = eos;
        return out;
    }

    /** Expressed vocabulary genes of the last encoded cell, before truncation. */
    int lastGenes() {
        return lastGenes;
    }

    /**
     * Sorts {@code slots[0..n)} by descending value, ties by ascending slot. Packs the value's upper bits and the
     * slot into one long so a primitive sort does the work; values equal in the upper bits (rare: within
     * ~1e-11 relative) are then put in exact order.
     */
    private void sortDescending(int n) {
        if (!packedSort) {
            sortGeneric(n);
            return;
        }
        for (int i = 0; i < n; i++) {
            int s = slots[i];
            long high = Double.doubleToRawLongBits(valueBySlot[s]) >>> LOW_BITS;
            keys[i] = ((HIGH_MAX - high) << LOW_BITS) | s;
        }
        if (n < RADIX_MIN) {
            Arrays.sort(keys, 0, n);
        } else {
            radixSort(n);
        }
        for (int i = 0; i < n; i++) slots[i] = (int) (keys[i] & ((1 << LOW_BITS) - 1));
        int i = 0;
        while (i < n) {
            int j = i + 1;
            long group = keys[i] >>> LOW_BITS;
            while (j < n && (keys[j] >>> LOW_BITS) == group) j++;
            if (j - i > 1) insertionSort(i, j);
            i = j;
        }
    }

    /**
     * LSD radix sort of {@code keys[0..n)}, a byte per pass. Passes whose byte is the same for every key are
     * skipped: a cell's values share their sign and most exponent bits, so typically 5 of 8 passes run.
     * Several times faster than a comparison sort on the thousands of genes of a full-transcriptome cell.
     */
    private void radixSort(int n) {
        if (radixScratch.length < n) radixScratch = new long[keys.length];
        long[] a = keys, b = radixScratch;
        int[] count = radixCount;
        for (int shift = 0; shift < 64; shift += 8) {
            Arrays.fill(count, 0);
            for (int i = 0; i < n; i++) count[(int) ((a[i] >>> shift) & 0xff) + 1]++;
            if (count[(int) ((a[0] >>> shift) & 0xff) + 1] == n) continue;
            for (int d = 0; d < 256; d++) count[d + 1] += count[d];
            for (int i = 0; i < n; i++) b[count[(int) ((a[i] >>> shift) & 0xff)]++] = a[i];
            long[] t = a;
            a = b;
            b = t;
        }
        if (a != keys) {
            System.arraycopy(a, 0, keys, 0, n);
        }
    }

    private void insertionSort(int from, int to) {
        for (int i = from + 1; i < to; i++) {
            int s = slots[i];
            int j = i - 1;
            while (j >= from && before(s, slots[j])) {
                slots[j + 1] = slots[j];
                j--;
            }
            slots[j + 1] = s;
        }
    }

    private boolean before(int a, int b) {
        double va = valueBySlot[a], vb = valueBySlot[b];
        return va > vb || (va == vb && a < b);
    }

    private void sortGeneric(int n) {
        Integer[] boxed = new Integer[n];
        for (int i = 0; i < n; i++) boxed[i] = slots[i];
        Arrays.sort(boxed, (a, b) -> before(a, b) ? -1 : before(b, a) ? 1 : 0);
        for (int i = 0; i < n; i++) slots[i] = boxed[i];
    }

    private void ensure(int n) {
        if (slots.length < n) {
            slots = new int[Math.max(n, slots.length * 2)];
            keys = new long[slots.length];
            radixScratch = new long[slots.length];
        }
    }

    private UserException badValue(double x, String cellId) {
        String what = Double.isNaN(x) ? "NaN" : Double.isInfinite(x) ? "an infinite value" : x < 0 ? "a negative value (" + x + ")"
                : "a non-integer value (" + x + ")";
        String hint = x >= 0 && !Double.isInfinite(x)
                ? "; Geneformer expects raw counts, not normalised data (pick the counts with --layer or --raw, or pass --allow-non-integer if these really are counts)"
                : "; Geneformer expects raw counts";
        return new UserException("cell " + cellId + " has " + what + hint);
    }
}
