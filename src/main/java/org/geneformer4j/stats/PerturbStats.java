package org.geneformer4j.stats;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.geneformer4j.perturb.RunInfo;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * Upstream's {@code InSilicoPerturberStats} modes over a perturbation directory, with its column names, its sort
 * orders and its statistics: Wilcoxon rank-sum against the pooled shifts of all genes (down-sampled with Python's
 * {@code random.seed(42)}), Benjamini-Hochberg FDR, a two-component Gaussian mixture. Genes are listed in token
 * order as upstream's sorted gene list; a gene group appears as its members joined by ";".
 */
public final class PerturbStats {
    public enum Mode { GOAL_STATE_SHIFT, VS_NULL, MIXTURE_MODEL, AGGREGATE_DATA, AGGREGATE_GENE_SHIFTS }

    /** Upstream's cap on the pooled random-perturbation list ({@code random.sample(..., k=100_000)}). */
    public static final int NULL_SAMPLE = 100_000;
    private static final long SEED = 42;

    private final PerturbResults r;
    private final GeneVocabulary vocab;
    private final int nullSample;

    private PerturbStats(PerturbResults r, GeneVocabulary vocab, int nullSample) {
        this.r = r;
        this.vocab = vocab;
        this.nullSample = nullSample;
    }

    /**
     * @param nullDir    the null-distribution run, for vs_null
     * @param anchorGene for mixture_model without combos: the perturbed gene whose effect on every other gene's
     *                   embedding is modelled (Ensembl ID), else null
     */
    public static StatsTable compute(Mode mode, java.nio.file.Path dir, java.nio.file.Path nullDir, String anchorGene, int nullSample) {
        PerturbResults r = PerturbResults.read(dir);
        GeneVocabulary vocab = GeneVocabulary.builtin(r.info.vocabulary());
        PerturbStats s = new PerturbStats(r, vocab, nullSample);
        return switch (mode) {
            case GOAL_STATE_SHIFT -> s.goalStateShift();
            case VS_NULL -> {
                if (nullDir == null) {
                    throw new UserException("--mode vs_null needs --null DIR, a perturbation run on the null cells");
                }
                yield s.vsNull(PerturbResults.read(nullDir));
            }
            case MIXTURE_MODEL -> s.mixtureModel(anchorGene);
            case AGGREGATE_DATA -> s.aggregateData();
            case AGGREGATE_GENE_SHIFTS -> s.aggregateGeneShifts();
        };
    }

    // ---- goal_state_shift ---------------------------------------------------------------------------------------

    StatsTable goalStateShift() {
        RunInfo.States st = r.info.states();
        if (st == null) {
            throw new UserException("goal_state_shift needs a run made with --cell-states");
        }
        List<String> alts = st.altStates() == null ? List.of() : st.altStates();
        Map<String, Values> goal = r.cellValues(st.goalState());
        if (!r.info.allGenes()) {
            List<String> cols = new ArrayList<>(List.of("Shift_to_goal_end"));
            alts.forEach(a -> cols.add("Shift_to_alt_end_" + a));
            StatsTable t = new StatsTable(cols);
            String key = String.join(";", r.info.genes());
            Object[] row = new Object[cols.size()];
            row[0] = valuesOf(goal, key).mean();
            for (int i = 0; i < alts.size(); i++) {
                row[1 + i] = valuesOf(r.cellValues(alts.get(i)), key).mean();
            }
            t.add(row);
            return t;
        }
        List<String> genes = sortedGenes(goal.keySet());
        RankSums goalTest = new RankSums(pooled(goal, genes));
        List<RankSums> altTests = new ArrayList<>();
        for (String a : alts) {
            altTests.add(new RankSums(pooled(r.cellValues(a), genes)));
        }
        List<String> cols = new ArrayList<>(List.of("Gene", "Gene_name", "Ensembl_ID", "Shift_to_goal_end"));
        alts.forEach(a -> cols.add("Shift_to_alt_end_" + a));
        cols.add("Goal_end_vs_random_pval");
        alts.forEach(a -> cols.add("Alt_end_vs_random_pval_" + a));
        cols.add("Goal_end_FDR");
        alts.forEach(a -> cols.add("Alt_end_FDR_" + a));
        cols.add("N_Detections");
        cols.add("Sig");
        int k = alts.size();
        double[][] p = new double[1 + k][genes.size()];
        List<Object[]> rows = new ArrayList<>();
        for (int g = 0; g < genes.size(); g++) {
            String key = genes.get(g);
            Values v = valuesOf(goal, key);
            Object[] row = new Object[cols.size()];
            gene(row, key);
            row[3] = v.mean();
            p[0][g] = goalTest.pvalue(v.toArray());
            for (int a = 0; a < k; a++) {
                Values av = valuesOf(r.cellValues(alts.get(a)), key);
                row[4 + a] = av.mean();
                p[1 + a][g] = altTests.get(a).pvalue(av.toArray());
            }
            row[cols.size() - 2] = v.size();
            rows.add(row);
        }
        double[][] fdr = new double[1 + k][];
        for (int j = 0; j <= k; j++) {
            fdr[j] = Fdr.benjaminiHochberg(p[j]);
        }
        StatsTable t = new StatsTable(cols);
        for (int g = 0; g < rows.size(); g++) {
            Object[] row = rows.get(g);
            for (int j = 0; j <= k; j++) {
                row[4 + k + j] = p[j][g];
                row[5 + 2 * k + j] = fdr[j][g];
            }
            row[cols.size() - 1] = fdr[0][g] < 0.05 ? 1 : 0;
            t.add(row);
        }
        t.sort(t.by("Sig", false).thenComparing(t.by("Shift_to_goal_end", false)).thenComparing(t.by("Goal_end_FDR", true)));
        return t;
    }

    /** The shifts of all genes pooled in gene order, down-sampled as upstream when longer than the cap. */
    double[] pooled(Map<String, Values> byGene, List<String> genes) {
        Values all = new Values();
        for (String g : genes) {
            all.addAll(valuesOf(byGene, g));
        }
        if (all.size() <= nullSample) {
            return all.toArray();
        }
        int[] pick = new PythonRandom(SEED).sample(all.size(), nullSample);
        double[] out = new double[pick.length];
        for (int i = 0; i < pick.length; i++) {
            out[i] = all.get(pick[i]);
        }
        return out;
    }

    // ---- vs_null ------------------------------------------------------------------------------------------------

    StatsTable vsNull(PerturbResults nul) {
        if (r.info.states() != null || nul.info.states() != null) {
            throw new UserException("vs_null compares cosine similarities of runs without --cell-states; use goal_state_shift for state shifts");
        }
        Map<String, Values> test = r.cellValues("");
        Map<String, Values> nullValues = nul.cellValues("");
        List<String> cols = List.of("Gene", "Gene_name", "Ensembl_ID", "Test_avg_shift", "Null_avg_shift", "Test_vs_null_avg_shift",
                "Test_vs_null_pval", "Test_vs_null_FDR", "N_Detections_test", "N_Detections_null", "Sig");
        List<String> genes = sortedGenes(test.keySet());
        double[] p = new double[genes.size()];
        List<Object[]> rows = new ArrayList<>();
        for (int g = 0; g < genes.size(); g++) {
            Values tv = valuesOf(test, genes.get(g));
            Values nv = valuesOf(nullValues, genes.get(g));
            Object[] row = new Object[cols.size()];
            gene(row, genes.get(g));
            row[3] = tv.mean();
            row[4] = nv.mean();
            row[5] = tv.mean() - nv.mean();
            double pv = new RankSums(nv.toArray()).pvalue(tv.toArray()); // two-sided: the order of the samples does not matter
            p[g] = Double.isNaN(pv) ? 1.0 : pv;
            row[6] = p[g];
            row[8] = tv.size();
            row[9] = nv.size();
            rows.add(row);
        }
        double[] fdr = Fdr.benjaminiHochberg(p);
        StatsTable t = new StatsTable(cols);
        for (int g = 0; g < rows.size(); g++) {
            rows.get(g)[7] = fdr[g];
            rows.get(g)[10] = fdr[g] < 0.05 ? 1 : 0;
            t.add(rows.get(g));
        }
        t.sort(t.by("Sig", false).thenComparing(t.by("Test_vs_null_avg_shift", false)).thenComparing(t.by("Test_vs_null_FDR", true)));
        return t;
    }

    // ---- mixture_model ------------------------------------------------------------------------------------------

    StatsTable mixtureModel(String anchorGene) {
        if (!r.info.allGenes()) {
            throw new UserException("mixture_model needs many perturbations to fit; this run perturbed one group (use aggregate_data)");
        }
        if (r.info.states() != null) {
            throw new UserException("mixture_model models cosine similarities of a run without --cell-states; use goal_state_shift");
        }
        boolean combos = r.info.combos() > 0;
        List<String> cols = new ArrayList<>(List.of("Gene", "Gene_name", "Ensembl_ID"));
        cols.addAll(combos ? List.of("Anchor_shift", "Test_token_shift", "Sum_of_indiv_shifts", "Combo_shift", "Combo_minus_sum_shift")
                : List.of("Test_avg_shift"));
        cols.addAll(List.of("Impact_component", "Impact_component_percent", "N_Detections"));
        Map<String, double[][]> data = new TreeMap<>(); // gene -> [anchor, token, combo] per cell (or just values)
        if (combos) {
            String anchor = r.info.anchor();
            Map<String, List<double[]>> triples = new java.util.LinkedHashMap<>();
            for (Map<String, Double> cell : r.byCell.values()) {
                Double a = cell.get(anchor);
                for (Map.Entry<String, Double> e : cell.entrySet()) {
                    if (!e.getKey().startsWith(anchor + ";")) {
                        continue;
                    }
                    String g = e.getKey().substring(anchor.length() + 1);
                    Double tok = cell.get(g);
                    if (a != null && tok != null) {
                        triples.computeIfAbsent(g, x -> new ArrayList<>()).add(new double[] {a, tok, e.getValue()});
                    }
                }
            }
            triples.forEach((g, l) -> data.put(g, l.toArray(new double[0][])));
        } else {
            Map<String, Values> source;
            if (anchorGene != null) {
                source = r.gene.get(anchorGene);
                if (source == null) {
                    throw new UserException("no gene-embedding rows for perturbed gene " + anchorGene
                            + " (run perturb with --genes " + anchorGene + " --emb-mode cls_and_gene or cell_and_gene)");
                }
            } else {
                source = r.cellValues("");
            }
            source.forEach((g, v) -> {
                double[][] m = new double[v.size()][];
                for (int i = 0; i < v.size(); i++) {
                    m[i] = new double[] {v.get(i)};
                }
                data.put(g, m);
            });
        }
        List<String> genes = sortedGenes(data.keySet());
        double[] means = new double[genes.size()];
        int fitted = 0;
        for (String g : genes) {
            Values test = column(data.get(g), combos ? 2 : 0);
            if (test.size() > 0) {
                means[fitted++] = test.mean();
            }
        }
        if (fitted < 2) {
            throw new UserException("mixture_model needs at least 2 perturbed genes with values, found " + fitted);
        }
        GaussianMixture1D gm = GaussianMixture1D.fit(Arrays.copyOf(means, fitted));
        StatsTable t = new StatsTable(cols);
        for (String g : genes) {
            double[][] m = data.get(g);
            Values test = column(m, combos ? 2 : 0);
            if (test.size() == 0) {
                continue;
            }
            Object[] row = new Object[cols.size()];
            gene(row, g);
            int c = 3;
            if (combos) {
                Values sum = new Values();
                Values minus = new Values();
                for (double[] x : m) {
                    double s = 1 - ((1 - x[0]) + (1 - x[1]));
                    sum.add(s);
                    minus.add(x[2] - s);
                }
                row[c++] = column(m, 0).mean();
                row[c++] = column(m, 1).mean();
                row[c++] = sum.mean();
                row[c++] = test.mean();
                row[c++] = minus.mean();
            } else {
                row[c++] = test.mean();
            }
            double[] comps = new double[test.size()];
            for (int i = 0; i < comps.length; i++) {
                comps[i] = gm.impactComponent(test.get(i));
            }
            row[c++] = gm.impactComponent(test.mean());
            row[c++] = Values.mean(comps, comps.length) * 100;
            row[c] = test.size();
            t.add(row);
        }
        t.sort(t.by("Impact_component", false).thenComparing(t.by(combos ? "Combo_minus_sum_shift" : "Test_avg_shift", true)));
        return t;
    }

    private static Values column(double[][] m, int j) {
        Values v = new Values();
        for (double[] x : m) {
            v.add(x[j]);
        }
        return v;
    }

    // ---- aggregate_data -----------------------------------------------------------------------------------------

    StatsTable aggregateData() {
        if (r.info.allGenes()) {
            throw new UserException("aggregate_data is for one gene or group perturbed in many cells; this run perturbed every gene");
        }
        String key = String.join(";", r.info.genes());
        boolean states = r.info.states() != null;
        StatsTable t = new StatsTable(states ? List.of("Cosine_sim", "Gene", "State") : List.of("Cosine_sim", "Gene"));
        for (String state : r.states()) {
            Values v = valuesOf(r.cellValues(state), key);
            for (int i = 0; i < v.size(); i++) {
                t.add(states ? new Object[] {v.get(i), names(key), state} : new Object[] {v.get(i), names(key)});
            }
        }
        if (t.rows() == 0) {
            throw new UserException("no values for " + key + " in " + r.info.model() + " run");
        }
        return t;
    }

    // ---- aggregate_gene_shifts ----------------------------------------------------------------------------------

    StatsTable aggregateGeneShifts() {
        List<String> cols = List.of("Perturbed", "Gene_name", "Ensembl_ID", "Affected", "Affected_gene_name", "Affected_Ensembl_ID",
                "Cosine_sim_mean", "Cosine_sim_stdev", "N_Detections", "temp");
        Map<String, Values> cells = r.cellValues("");
        java.util.Set<String> perturbed = new java.util.HashSet<>(cells.keySet());
        perturbed.addAll(r.gene.keySet());
        StatsTable t = new StatsTable(cols);
        for (String p : sortedGenes(perturbed)) {
            Values cv = cells.get(p);
            if (cv != null) {
                t.add(tokenColumn(p), names(p), p, PerturbResults.CELL, null, null, cv.mean(), cv.std(), cv.size(), 1);
            }
            for (Map.Entry<String, Values> e : r.gene.getOrDefault(p, Map.of()).entrySet()) {
                Values v = e.getValue();
                t.add(tokenColumn(p), names(p), p, tokenColumn(e.getKey()), names(e.getKey()), e.getKey(), v.mean(), v.std(), v.size(), 0);
            }
        }
        if (t.rows() == 0) {
            throw new UserException("no state-free cosine similarities to aggregate in this run");
        }
        t.sort(t.by("temp", false).thenComparing(t.by("Cosine_sim_mean", true)));
        return t.without("temp");
    }

    // ---- genes --------------------------------------------------------------------------------------------------

    private static Values valuesOf(Map<String, Values> m, String key) {
        Values v = m.get(key);
        return v == null ? new Values() : v;
    }

    /** Gene keys in upstream's order: sorted by token id (groups by their token tuples). */
    List<String> sortedGenes(java.util.Collection<String> keys) {
        List<String> out = new ArrayList<>(keys);
        out.sort(Comparator.comparing(this::tokens, Arrays::compare));
        return out;
    }

    private int[] tokens(String key) {
        String[] ids = key.split(";");
        int[] t = new int[ids.length];
        for (int i = 0; i < ids.length; i++) {
            t[i] = vocab.tokenOf(ids[i]);
            if (t[i] < 0) {
                throw new UserException("gene " + ids[i] + " of the results is not in the " + vocab.name() + " vocabulary");
            }
        }
        return t;
    }

    private Object tokenColumn(String key) {
        int[] t = tokens(key);
        if (t.length == 1) {
            return t[0];
        }
        return String.join(";", Arrays.stream(t).mapToObj(Integer::toString).toList());
    }

    private String names(String key) {
        List<String> out = new ArrayList<>();
        for (String id : key.split(";")) {
            String s = vocab.symbolOf(id);
            out.add(s == null ? "" : s);
        }
        String joined = String.join(";", out);
        return joined.replace(";", "").isEmpty() ? null : joined;
    }

    private void gene(Object[] row, String key) {
        row[0] = tokenColumn(key);
        row[1] = names(key);
        row[2] = key;
    }

    public static Mode mode(String name) {
        try {
            return Mode.valueOf(name.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new UserException("unknown --mode '" + name + "' (choose goal_state_shift, vs_null, mixture_model, aggregate_data, aggregate_gene_shifts)");
        }
    }
}
