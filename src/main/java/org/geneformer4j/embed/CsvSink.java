package org.geneformer4j.embed;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;

/**
 * Upstream's CSV ({@code embs_df.to_csv}): an index column (here the cell id, or the Ensembl ID in gene mode),
 * columns {@code 0..H-1}, then the label columns. Floats are written in shortest round-trip form.
 */
final class CsvSink implements EmbeddingSink {
    private final AtomicFile file;
    private final BufferedWriter out;

    CsvSink(Path path, boolean overwrite) throws IOException {
        this.file = AtomicFile.create(path, overwrite);
        this.out = new BufferedWriter(new OutputStreamWriter(file.stream(), StandardCharsets.UTF_8), 1 << 16);
    }

    @Override
    public void begin(int hidden, String idColumn, List<String> labelColumns) throws IOException {
        out.write(idColumn);
        for (int i = 0; i < hidden; i++) {
            out.write(',');
            out.write(Integer.toString(i));
        }
        for (String l : labelColumns) {
            out.write(',');
            out.write(Csv.quote(l));
        }
        out.write('\n');
    }

    @Override
    public void row(String id, float[] e, String[] labels) throws IOException {
        out.write(Csv.quote(id));
        for (float v : e) {
            out.write(',');
            out.write(Float.toString(v));
        }
        for (String l : labels) {
            out.write(',');
            out.write(Csv.quote(l));
        }
        out.write('\n');
    }


    @Override
    public void commit() throws IOException {
        out.flush();
        file.commit();
    }

    @Override
    public void close() {
        file.close();
    }
}
