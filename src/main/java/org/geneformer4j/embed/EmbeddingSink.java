package org.geneformer4j.embed;

import java.io.IOException;
import java.util.List;

/** Where embeddings go, row by row in output order. Implementations write atomically on {@link #commit()}. */
public interface EmbeddingSink extends AutoCloseable {
    /** Called once before any row: the embedding width and the names of the carried columns. */
    void begin(int hidden, String idColumn, List<String> labelColumns) throws IOException;

    void row(String id, float[] embedding, String[] labels) throws IOException;

    /** Publishes the output under its final name. */
    void commit() throws IOException;

    @Override
    void close();
}
