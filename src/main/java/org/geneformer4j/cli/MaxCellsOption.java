package org.geneformer4j.cli;

import picocli.CommandLine.Option;

/**
 * {@code --max-ncells}: a seeded sample of the selected cells ({@link org.geneformer4j.engine.Sample}). The default
 * is the command's: embed keeps upstream's 1000, the others take every cell.
 */
final class MaxCellsOption {
    @Option(names = "--max-ncells", paramLabel = "N", description = "Use at most N cells, a sample drawn with --seed (0: all). Default: ${DEFAULT-VALUE}.")
    int maxCells;

    MaxCellsOption() {
        this(0);
    }

    MaxCellsOption(int byDefault) {
        this.maxCells = byDefault;
    }
}
