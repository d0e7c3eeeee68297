package org.geneformer4j.embed;

import java.nio.file.Path;

/** Opens the writer for an output format. */
public final class Sinks {
    private Sinks() {}

    public static EmbeddingSink open(Path output, String format, boolean overwrite) {
        return switch (format) {
            case "npy" -> new NpySink(output, overwrite);
            case "h5ad" -> new H5adSink(output, overwrite);
            default -> new CsvSink(output, overwrite);
        };
    }
}
