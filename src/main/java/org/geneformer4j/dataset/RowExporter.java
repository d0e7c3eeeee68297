package org.geneformer4j.dataset;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.reflect.Array;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Writes dataset rows as JSON Lines (one object per row, every column) or CSV (lists as space-separated ids,
 * which R and pandas split easily).
 */
public final class RowExporter implements AutoCloseable {
    public enum Format { JSONL, CSV }

    private final Format format;
    private final List<Column> columns;
    private final Writer out;
    private final JsonGenerator json;

    public RowExporter(OutputStream stream, Format format, List<Column> columns) throws IOException {
        this.format = format;
        this.columns = columns;
        this.out = new OutputStreamWriter(stream, StandardCharsets.UTF_8);
        if (format == Format.JSONL) {
            json = new JsonFactory().createGenerator(out).disable(JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            json.setRootValueSeparator(null);
        } else {
            json = null;
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) out.write(',');
                out.write(csv(columns.get(c).name()));
            }
            out.write('\n');
        }
    }

    public void write(RowBatch b, int row) throws IOException {
        if (format == Format.JSONL) {
            json.writeStartObject();
            for (int c = 0; c < columns.size(); c++) {
                json.writeFieldName(columns.get(c).name());
                writeJson(b.columns()[c], row);
            }
            json.writeEndObject();
            json.flush();
            out.write('\n');
        } else {
            for (int c = 0; c < columns.size(); c++) {
                if (c > 0) out.write(',');
                out.write(csvValue(b.columns()[c], row));
            }
            out.write('\n');
        }
    }

    private void writeJson(Object col, int row) throws IOException {
        if (col instanceof int[][] l) {
            json.writeArray(l[row], 0, l[row].length);
        } else if (col instanceof long[][] l) {
            json.writeArray(l[row], 0, l[row].length);
        } else if (col instanceof long[] a) {
            json.writeNumber(a[row]);
        } else if (col instanceof int[] a) {
            json.writeNumber(a[row]);
        } else if (col instanceof double[] a) {
            if (Double.isNaN(a[row])) json.writeNull(); else json.writeNumber(a[row]);
        } else if (col instanceof float[] a) {
            if (Float.isNaN(a[row])) json.writeNull(); else json.writeNumber(a[row]);
        } else if (col instanceof boolean[] a) {
            json.writeBoolean(a[row]);
        } else {
            String s = ((String[]) col)[row];
            if (s == null) json.writeNull(); else json.writeString(s);
        }
    }

    private static String csvValue(Object col, int row) {
        if (col instanceof int[][] l) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l[row].length; i++) {
                if (i > 0) sb.append(' ');
                sb.append(l[row][i]);
            }
            return sb.toString();
        }
        if (col instanceof String[] s) {
            return s[row] == null ? "" : csv(s[row]);
        }
        if (col instanceof double[] d && Double.isNaN(d[row])) return "";
        if (col instanceof float[] f && Float.isNaN(f[row])) return "";
        return String.valueOf(Array.get(col, row));
    }

    private static String csv(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0) return s;
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    @Override
    public void close() throws IOException {
        if (json != null) json.close();
        out.flush(); // the stream itself belongs to the caller
    }
}
