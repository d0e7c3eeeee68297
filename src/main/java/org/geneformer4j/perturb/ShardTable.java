package org.geneformer4j.perturb;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.geneformer4j.dataset.ArrowFile;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.ColumnType;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Csv;
import org.geneformer4j.util.NoSpace;
import org.geneformer4j.vocab.GeneVocabulary;

/**
 * The rows of one output shard, one per (cell, perturbation, affected embedding, state): {@code cell, perturbed,
 * perturbed_symbol, affected, affected_symbol, state, value}. {@code perturbed} holds the Ensembl IDs (";"-joined
 * for a group, the anchor first for a combination), {@code affected} is {@code cell_emb} or the Ensembl ID of the
 * gene whose embedding moved, {@code state} is empty for plain cosines. Written as an Arrow IPC (Feather v2) file
 * or as CSV, atomically.
 */
final class ShardTable {
    enum Format {
        ARROW("arrow"), CSV("csv");

        final String extension;

        Format(String extension) {
            this.extension = extension;
        }

        static Format of(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT));
        }
    }

    static final List<Column> COLUMNS = List.of(new Column("cell", ColumnType.STRING), new Column("perturbed", ColumnType.STRING),
            new Column("perturbed_symbol", ColumnType.STRING), new Column("affected", ColumnType.STRING),
            new Column("affected_symbol", ColumnType.STRING), new Column("state", ColumnType.STRING), new Column("value", ColumnType.FLOAT32));

    private final GeneVocabulary vocab;
    private final List<String[]> text = new ArrayList<>();
    private float[] values = new float[1024];

    ShardTable(GeneVocabulary vocab) {
        this.vocab = vocab;
    }

    void add(String cell, Result r) {
        StringBuilder ids = new StringBuilder();
        StringBuilder syms = new StringBuilder();
        for (int g : r.perturbation().genes()) {
            String id = vocab.tokenName(g);
            String sym = vocab.symbolOf(id);
            ids.append(ids.length() == 0 ? "" : ";").append(id);
            syms.append(syms.length() == 0 ? "" : ";").append(sym == null ? "" : sym);
        }
        String affected = r.affected() < 0 ? "cell_emb" : vocab.tokenName(r.affected());
        String affectedSym = r.affected() < 0 ? null : vocab.symbolOf(affected);
        if (text.size() == values.length) {
            values = java.util.Arrays.copyOf(values, values.length * 2);
        }
        values[text.size()] = (float) r.value();
        text.add(new String[] {cell, ids.toString(), syms.toString(), affected, affectedSym == null ? "" : affectedSym,
            r.state() == null ? "" : r.state()});
    }

    void write(Path file, Format format) {
        if (format == Format.ARROW) {
            int n = text.size();
            Object[] cols = new Object[COLUMNS.size()];
            for (int c = 0; c < 6; c++) {
                String[] col = new String[n];
                for (int i = 0; i < n; i++) {
                    col[i] = text.get(i)[c];
                }
                cols[c] = col;
            }
            cols[6] = java.util.Arrays.copyOf(values, n);
            ArrowFile.write(file, COLUMNS, new RowBatch(n, cols), false);
            return;
        }
        try (AtomicFile f = AtomicFile.create(file, false);
                BufferedWriter w = new BufferedWriter(new OutputStreamWriter(f.stream(), StandardCharsets.UTF_8), 1 << 16)) {
            w.write(String.join(",", COLUMNS.stream().map(Column::name).toList()));
            w.write('\n');
            for (int i = 0; i < text.size(); i++) {
                for (String field : text.get(i)) {
                    w.write(Csv.quote(field));
                    w.write(',');
                }
                w.write(Float.toString(values[i]));
                w.write('\n');
            }
            w.flush();
            f.commit();
        } catch (IOException e) {
            throw new UncheckedIOException(NoSpace.orItself(e, file));
        }
    }
}
