package org.geneformer4j.embed;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.util.AtomicFile;

/**
 * A NumPy {@code .npy} float32 matrix [cells, H] and, beside it, {@code NAME.cells.tsv} with the ids and labels of
 * its rows. The row count goes into the header at the end, so the header is padded to a fixed size.
 */
final class NpySink implements EmbeddingSink {
    private static final int HEADER = 128;
    private final AtomicFile npy;
    private final AtomicFile tsv;
    private final OutputStream data;
    private final StringBuilder rowsTsv = new StringBuilder();
    private int hidden;
    private long rows;

    NpySink(Path path, boolean overwrite) throws IOException {
        this.npy = AtomicFile.create(path, overwrite);
        try {
            this.tsv = AtomicFile.create(path.resolveSibling(path.getFileName().toString().replaceFirst("\\.npy$", "") + ".cells.tsv"), overwrite);
            this.data = new java.io.BufferedOutputStream(npy.stream(), 1 << 16);
        } catch (IOException | RuntimeException e) {
            npy.close(); // releases its lock
            throw e;
        }
    }

    @Override
    public void begin(int hidden, String idColumn, List<String> labelColumns) throws IOException {
        this.hidden = hidden;
        data.write(new byte[HEADER]); // placeholder, rewritten in commit()
        rowsTsv.append(idColumn);
        for (String l : labelColumns) {
            rowsTsv.append('\t').append(l);
        }
        rowsTsv.append('\n');
    }

    @Override
    public void row(String id, float[] e, String[] labels) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(e.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(e);
        data.write(b.array());
        rowsTsv.append(id);
        for (String l : labels) {
            rowsTsv.append('\t').append(l == null ? "" : l);
        }
        rowsTsv.append('\n');
        rows++;
    }

    static byte[] header(long rows, int cols) {
        String dict = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + rows + ", " + cols + "), }";
        ByteArrayOutputStream h = new ByteArrayOutputStream();
        h.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = HEADER - 10;
        h.write(len & 0xff);
        h.write(len >> 8);
        StringBuilder s = new StringBuilder(dict);
        while (s.length() < len - 1) {
            s.append(' ');
        }
        s.append('\n');
        h.writeBytes(s.toString().getBytes(StandardCharsets.US_ASCII));
        return h.toByteArray();
    }

    @Override
    public void commit() throws IOException {
        data.flush();
        npy.stream().flush();
        try (RandomAccessFile raf = new RandomAccessFile(npy.temp().toFile(), "rw")) {
            raf.write(header(rows, hidden));
        }
        tsv.stream().write(rowsTsv.toString().getBytes(StandardCharsets.UTF_8));
        tsv.commit();
        npy.commit();
    }

    @Override
    public void close() {
        npy.close();
        tsv.close();
    }
}
