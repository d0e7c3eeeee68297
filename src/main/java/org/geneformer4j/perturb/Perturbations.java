package org.geneformer4j.perturb;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Upstream's perturbation operations on one cell's tokens ({@code perturber_utils}): positions count in the full
 * input, including {@code <cls>} at 0 and {@code <eos>} last for V2 ({@code special}).
 */
public final class Perturbations {
    private Perturbations() {}

    /** The positions perturbed one at a time in "all" mode: V1 delete 0..len-1, overexpress 1..len-1; V2 one less at each end. */
    public static int[] allPositions(int length, PerturbType type, boolean special) {
        int first = (special ? 1 : 0) + (type == PerturbType.OVEREXPRESS ? 1 : 0);
        int end = special ? length - 1 : length;
        int[] out = new int[Math.max(0, end - first)];
        for (int i = 0; i < out.length; i++) {
            out[i] = first + i;
        }
        return out;
    }

    /** Removes the tokens at {@code positions} (delete_indices). */
    public static Perturbation delete(int[] ids, int[] positions, boolean special) {
        boolean[] gone = new boolean[ids.length];
        int[] genes = new int[positions.length];
        for (int k = 0; k < positions.length; k++) {
            gone[positions[k]] = true;
            genes[k] = ids[positions[k]];
        }
        int[] out = new int[ids.length - positions.length];
        int[] orig = new int[out.length];
        int m = 0;
        for (int i = 0; i < ids.length; i++) {
            if (!gone[i]) {
                out[m] = ids[i];
                orig[m++] = isSpecial(i, ids.length, special) ? -1 : i;
            }
        }
        return new Perturbation(genes, out, orig);
    }

    /** Moves the tokens at {@code positions} (ascending) to the front, after {@code <cls>} in V2 (overexpress_indices[_special]). */
    public static Perturbation overexpress(int[] ids, int[] positions, boolean special) {
        int[] sorted = positions.clone();
        Arrays.sort(sorted);
        boolean[] moved = new boolean[ids.length];
        int[] genes = new int[sorted.length];
        for (int k = 0; k < sorted.length; k++) {
            moved[sorted[k]] = true;
            genes[k] = ids[sorted[k]];
        }
        int[] out = new int[ids.length];
        int[] orig = new int[ids.length];
        int m = 0;
        if (special) {
            out[m] = ids[0];
            orig[m++] = -1;
        }
        for (int g : genes) {
            out[m] = g;
            orig[m++] = -1;
        }
        for (int i = special ? 1 : 0; i < ids.length; i++) {
            if (!moved[i]) {
                out[m] = ids[i];
                orig[m++] = isSpecial(i, ids.length, special) ? -1 : i;
            }
        }
        return new Perturbation(genes, out, orig);
    }

    /**
     * Overexpression of a gene list (overexpress_tokens): the listed genes leave their places and go to the front in
     * list order (after {@code <cls>}); if the input then exceeds {@code maxLen}, it is cut to {@code maxLen} (V2
     * keeping {@code <eos>} last). Returns the perturbation and the number of overflowing tokens, by which the
     * original must be truncated too ({@link #truncate}).
     */
    public static Overexpressed overexpressTokens(int[] ids, int[] tokens, int maxLen, boolean special) {
        List<Integer> rest = new ArrayList<>();
        List<Integer> restPos = new ArrayList<>();
        for (int i = special ? 1 : 0; i < (special ? ids.length - 1 : ids.length); i++) {
            boolean listed = false;
            for (int t : tokens) {
                listed |= t == ids[i];
            }
            if (!listed) {
                rest.add(ids[i]);
                restPos.add(i);
            }
        }
        int full = tokens.length + rest.size() + (special ? 2 : 0);
        int overflow = Math.max(0, full - maxLen);
        int keepRest = rest.size() - overflow;
        if (keepRest < 0) {
            throw new IllegalArgumentException(tokens.length + " genes to overexpress do not fit in " + maxLen + " positions");
        }
        int n = full - overflow;
        int[] out = new int[n];
        int[] orig = new int[n];
        int m = 0;
        if (special) {
            out[m] = ids[0];
            orig[m++] = -1;
        }
        for (int t : tokens) {
            out[m] = t;
            orig[m++] = -1;
        }
        for (int k = 0; k < keepRest; k++) {
            out[m] = rest.get(k);
            orig[m++] = restPos.get(k);
        }
        if (special) {
            out[m] = ids[ids.length - 1];
            orig[m] = -1;
        }
        return new Overexpressed(new Perturbation(tokens.clone(), out, orig), overflow);
    }

    public record Overexpressed(Perturbation perturbation, int overflow) {}

    /** The original cut by {@code n} genes at its end (truncate_by_n_overflow[_special]: V2 keeps {@code <eos>}). */
    public static int[] truncate(int[] ids, int n, boolean special) {
        if (n == 0) {
            return ids;
        }
        if (!special) {
            return Arrays.copyOf(ids, ids.length - n);
        }
        int[] out = Arrays.copyOf(ids, ids.length - n);
        out[out.length - 1] = ids[ids.length - 1];
        return out;
    }

    /**
     * Inhibit (down) or activate (up): the gene at {@code position} moves by {@code round(shift * G / 4)} gene places,
     * G = the number of genes, clamped to the first / last gene position.
     */
    public static Perturbation shift(int[] ids, int position, int shift, boolean down, boolean special) {
        int first = special ? 1 : 0;
        int genesCount = ids.length - (special ? 2 : 0);
        int rank = position - first;
        int by = (int) Math.round(shift * genesCount / 4.0);
        int target = down ? Math.min(genesCount - 1, rank + by) : Math.max(0, rank - by);
        List<Integer> order = new ArrayList<>();
        for (int g = 0; g < genesCount; g++) {
            if (g != rank) {
                order.add(g);
            }
        }
        order.add(target, rank);
        int[] out = new int[ids.length];
        int[] orig = new int[ids.length];
        if (special) {
            out[0] = ids[0];
            orig[0] = -1;
            out[ids.length - 1] = ids[ids.length - 1];
            orig[ids.length - 1] = -1;
        }
        for (int g = 0; g < genesCount; g++) {
            int from = order.get(g) + first;
            out[g + first] = ids[from];
            orig[g + first] = from == position ? -1 : from;
        }
        return new Perturbation(new int[] {ids[position]}, out, orig);
    }

    private static boolean isSpecial(int i, int length, boolean special) {
        return special && (i == 0 || i == length - 1);
    }
}
