package org.geneformer4j.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: one seed per run, for its cell sample and (when it trains) data order, dropout and new weights. */
final class SeedOption {
    @Option(names = "--seed", defaultValue = "42", description = "Seed of the --max-ncells sample (and of training). Default: ${DEFAULT-VALUE}.")
    long seed;
}
