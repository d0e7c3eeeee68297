package org.geneformer4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geneformer4j.stats.PerturbStats;
import org.geneformer4j.stats.StatsTable;
import org.geneformer4j.util.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stats", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Statistics of a perturbation run (upstream's InSilicoPerturberStats): one CSV with upstream's columns and order.")
final class StatsCommand implements Callable<Integer> {
    @Option(names = {"-i", "--input"}, required = true, paramLabel = "DIR", description = "Output directory of geneformer perturb.")
    Path input;

    @Option(names = {"-o", "--output"}, required = true, paramLabel = "CSV", description = "The table to write.")
    Path output;

    @Option(names = "--mode", defaultValue = "mixture_model",
            description = "goal_state_shift, vs_null, mixture_model, aggregate_data or aggregate_gene_shifts. Default: ${DEFAULT-VALUE}.")
    String mode;

    @Option(names = "--null", paramLabel = "DIR", description = "For vs_null: the perturb run on the null-distribution cells.")
    Path nullDir;

    @Option(names = "--anchor-gene", paramLabel = "ENSEMBL_ID",
            description = "For mixture_model of a run with gene embeddings: model the effect of this perturbed gene on every other gene.")
    String anchorGene;

    @Option(names = "--null-sample", defaultValue = "100000",
            description = "goal_state_shift: pooled random shifts kept (Python random.seed(42) sample, as upstream). Default: ${DEFAULT-VALUE}.")
    int nullSample;

    @Option(names = "--overwrite", description = "Replace an existing output file.")
    boolean overwrite;

    @Override
    public Integer call() {
        if (nullSample < 1) {
            throw new org.geneformer4j.util.UserException("--null-sample must be positive");
        }
        PerturbStats.Mode m = PerturbStats.mode(mode);
        OutputGuard.check(output, overwrite, OutputGuard.Kind.file("csv"), OutputGuard.paths(input, nullDir));
        StatsTable t = PerturbStats.compute(m, input, nullDir, anchorGene, nullSample);
        t.write(output, overwrite);
        Main.log().info(String.format(Locale.ROOT, "wrote %s: %s, %d rows", output, m.name().toLowerCase(Locale.ROOT), t.rows()));
        return 0;
    }
}
