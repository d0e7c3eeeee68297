package org.geneformer4j.tokenize;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * How the input's gene columns become vocabulary genes ("slots"), following upstream's {@code sum_ensembl_ids}
 * and the tokenizer's {@code coding_miRNA_loc} selection.
 *
 * <p>Slot order is the order in which upstream presents a cell's genes to its sort, so that ties break the same
 * way: genes hit by one column in column order, then genes hit by several columns (whose counts are summed) in the
 * order of their first column — upstream appends the summed genes after the unique ones.
 */
public final class GenePlan {
    final int[] slotOfColumn;
    final int[] slotToken;
    final double[] slotMedian;
    final boolean[] slotSummed;
    private final int mappedColumns;

    private GenePlan(int[] slotOfColumn, int[] slotToken, double[] slotMedian, boolean[] slotSummed, int mappedColumns) {
        this.slotOfColumn = slotOfColumn;
        this.slotToken = slotToken;
        this.slotMedian = slotMedian;
        this.slotSummed = slotSummed;
        this.mappedColumns = mappedColumns;
    }

    public static GenePlan build(GeneVocabulary vocab, List<String> geneIds, boolean collapse, String source) {
        int n = geneIds.size();
        String[] target = new String[n];
        if (collapse) {
            for (int j = 0; j < n; j++) target[j] = vocab.mapGeneId(geneIds.get(j));
        } else {
            // upstream: no mapping at all, and the IDs found in the vocabulary must be unique
            Set<String> seen = new HashSet<>();
            for (int j = 0; j < n; j++) {
                String id = geneIds.get(j);
                if (id != null && vocab.tokenOf(id) >= 0 && !id.startsWith("<")) {
                    if (!seen.add(id)) {
                        throw new UserException(source + ": gene ID " + id + " occurs more than once; "
                                + "drop --no-collapse-gene-ids to sum duplicate genes as upstream does");
                    }
                    target[j] = id;
                }
            }
        }
        Map<String, Integer> count = new LinkedHashMap<>();
        for (String t : target) {
            if (t != null) count.merge(t, 1, Integer::sum);
        }
        if (count.isEmpty()) {
            throw new UserException(source + ": none of the " + n + " genes is in the " + vocab.name()
                    + " vocabulary. Check the gene ID column (--gene-column; Ensembl IDs such as ENSG00000141510 are "
                    + "expected, V2 also accepts gene symbols) and the model version (V1 = gc30M, V2 = gc104M)"
                    + (n > 0 ? "; first IDs seen: " + String.join(", ", geneIds.subList(0, Math.min(3, n))) : ""));
        }
        Map<String, Integer> slotOf = new HashMap<>();
        List<String> order = new ArrayList<>();
        for (String t : target) {
            if (t != null && count.get(t) == 1) {
                slotOf.put(t, order.size());
                order.add(t);
            }
        }
        for (Map.Entry<String, Integer> e : count.entrySet()) {
            if (e.getValue() > 1) {
                slotOf.put(e.getKey(), order.size());
                order.add(e.getKey());
            }
        }
        int[] slotOfColumn = new int[n];
        int mapped = 0;
        for (int j = 0; j < n; j++) {
            slotOfColumn[j] = target[j] == null ? -1 : slotOf.get(target[j]);
            if (target[j] != null) mapped++;
        }
        int slots = order.size();
        int[] tokens = new int[slots];
        double[] medians = new double[slots];
        boolean[] summed = new boolean[slots];
        for (int s = 0; s < slots; s++) {
            String g = order.get(s);
            tokens[s] = vocab.tokenOf(g);
            medians[s] = vocab.median(tokens[s]);
            summed[s] = count.get(g) > 1;
        }
        return new GenePlan(slotOfColumn, tokens, medians, summed, mapped);
    }

    /** Distinct vocabulary genes the input covers. */
    public int genes() {
        return slotToken.length;
    }

    /** Input columns that map to a vocabulary gene. */
    public int mappedColumns() {
        return mappedColumns;
    }

    /** Input columns whose counts are summed into a gene shared with another column. */
    public int summedColumns() {
        int c = 0;
        for (int s : slotOfColumn) if (s >= 0 && slotSummed[s]) c++;
        return c;
    }
}
