package org.geneformer4j.embed;

import java.io.IOException;
import java.nio.file.Path;

/** Opens the writer for an output format. */
public final class Sinks {
    private Sinks() {}

    public static EmbeddingSink open(Path output, String format, boolean overwrite) throws IOException {
        return switch (format) {
            case "npy" -> new NpySink(output, overwrite);
            case "h5ad" -> new H5adSink(output, overwrite);
            default -> new CsvSink(output, overwrite);
        };
    }
}
