package org.geneformer4j.cli;

import picocli.CommandLine.Option;

/** {@code --overwrite}: what it may replace is decided by {@link org.geneformer4j.util.OutputGuard}, the same for every command. */
final class OverwriteOption {
    @Option(names = "--overwrite", description = "Replace an output this program wrote before (never an input or a folder it did not create).")
    boolean overwrite;
}
