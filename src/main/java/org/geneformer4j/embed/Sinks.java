package org.geneformer4j.embed;

import java.nio.file.Path;

/** Opens the writer for an output format. */
public final class Sinks {
    private Sinks() {}

    public static EmbeddingSink open(Path output, String format, boolean overwrite) {
        return format.equals("npy") ? new NpySink(output, overwrite) : new CsvSink(output, overwrite);
    }
}
