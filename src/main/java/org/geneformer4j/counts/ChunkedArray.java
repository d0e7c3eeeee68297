package org.geneformer4j.counts;

import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Slices of a 1-D numeric HDF5 dataset (the {@code data} and {@code indices} arrays of sparse matrices).
 *
 * <p>For chunked datasets of plain numbers, slices are assembled from whole decompressed chunks with bulk
 * buffer copies, and the last chunk is kept because consecutive blocks of cells share their boundary chunk.
 * jhdf's general slicing copies element by element (a fifth of tokenization time on full-transcriptome
 * cells) and cannot address chunks past 2^31 elements, so anything else falls back to it.
 */
final class ChunkedArray {
    private final Dataset ds;
    private final Path file;
    private final ChunkedDataset chunked;
    private final int chunk;
    private final Class<?> type;
    private final int elementSize;
    private final ByteOrder order;
    private long cachedChunk = -1;
    private ByteBuffer cached;

    ChunkedArray(Dataset ds, Path file) {
        this.ds = ds;
        this.file = file;
        Class<?> t = ds.getJavaType();
        int size = ds.getDataType().getSize();
        DataType dtype = ds.getDataType();
        boolean plain = (dtype instanceof FloatingPoint || dtype instanceof FixedPoint) && ds.getDimensions().length == 1 && !ds.isCompound() && !ds.isVariableLength()
                && ((t == float.class && size == 4) || (t == double.class && size == 8) || (t == int.class && size == 4)
                || (t == long.class && size == 8) || (t == short.class && size == 2));
        if (plain && ds instanceof ChunkedDataset c && c.getChunkDimensions().length == 1) {
            this.chunked = c;
            this.chunk = c.getChunkDimensions()[0];
        } else {
            this.chunked = null;
            this.chunk = 0;
        }
        this.type = t;
        this.elementSize = size;
        DataType dt = ds.getDataType();
        this.order = dt instanceof FloatingPoint fp ? fp.getByteOrder()
                : dt instanceof FixedPoint fx ? fx.getByteOrder() : ByteOrder.LITTLE_ENDIAN;
    }

    long size() {
        return ds.getSize();
    }

    /** Elements {@code [offset, offset + length)} as a Java primitive array of the dataset's type. */
    Object slice(long offset, int length) {
        if (chunked == null || offset + length > Integer.MAX_VALUE) {
            return Hdf5.readSlice(ds, offset, length, file);
        }
        Object out = java.lang.reflect.Array.newInstance(type, length);
        long pos = offset;
        int written = 0;
        try {
            while (written < length) {
                long c = pos / chunk;
                ByteBuffer buf = chunk(c);
                int from = (int) (pos - c * chunk);
                int n = Math.min(chunk - from, length - written);
                ByteBuffer view = buf.duplicate().order(buf.order());
                view.position(from * elementSize);
                copy(view, out, written, n);
                written += n;
                pos += n;
            }
        } catch (RuntimeException e) {
            throw new org.geneformer4j.util.UserException(file + ": cannot read " + ds.getPath()
                    + " (corrupt or truncated file?): " + e.getMessage(), e);
        }
        return out;
    }

    private ByteBuffer chunk(long c) {
        if (c != cachedChunk) {
            byte[] raw = chunked.getDecompressedChunk(new int[] {(int) (c * chunk)});
            cached = ByteBuffer.wrap(raw).order(order);
            cachedChunk = c;
        }
        return cached;
    }

    private void copy(ByteBuffer src, Object dst, int at, int n) {
        if (dst instanceof float[] f) src.asFloatBuffer().get(f, at, n);
        else if (dst instanceof int[] i) src.asIntBuffer().get(i, at, n);
        else if (dst instanceof double[] d) src.asDoubleBuffer().get(d, at, n);
        else if (dst instanceof long[] l) src.asLongBuffer().get(l, at, n);
        else src.asShortBuffer().get((short[]) dst, at, n);
    }
}
