package org.geneformer4j.counts;

import io.jhdf.HdfFile;
import io.jhdf.api.Attribute;
import io.jhdf.api.Dataset;
import io.jhdf.api.Group;
import io.jhdf.api.Node;
import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.geneformer4j.util.UserException;

/** Small helpers over jhdf: opening with clear errors and turning whatever dtype a dataset has into plain arrays. */
final class Hdf5 {
    private static final byte[] SIGNATURE = {(byte) 0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};

    private Hdf5() {
    }

    static HdfFile open(Path path) {
        if (!Files.exists(path)) {
            throw new UserException(path + ": file not found");
        }
        if (!Files.isRegularFile(path)) {
            throw new UserException(path + ": not a regular file");
        }
        try (InputStream in = Files.newInputStream(path)) {
            byte[] head = in.readNBytes(8);
            if (!java.util.Arrays.equals(head, SIGNATURE)) {
                throw new UserException(path + ": not an HDF5 file (expected .h5ad, .loom or 10x .h5)");
            }
        } catch (IOException e) {
            throw new UserException(path + ": cannot read: " + e.getMessage(), e);
        }
        try {
            return new HdfFile(path);
        } catch (RuntimeException e) {
            throw new UserException(path + ": corrupt or truncated HDF5 file (" + e.getMessage() + ")", e);
        }
    }

    /**
     * jhdf reads lazily, so a damaged file often fails only when a group is first listed; this turns any such
     * failure while opening a reader into one clear line naming the file.
     */
    static UserException corrupt(Path path, RuntimeException e) {
        if (e instanceof UserException u) {
            return u;
        }
        return new UserException(path + ": corrupt or truncated file (" + e.getMessage() + ")", e);
    }

    static Node child(Group g, String name) {
        return g.getChildren().get(name);
    }

    static String attrString(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null) {
            return null;
        }
        Object d = a.getData();
        if (d instanceof String s) {
            return s;
        }
        if (d != null && d.getClass().isArray() && Array.getLength(d) > 0 && Array.get(d, 0) instanceof String s) {
            return s;
        }
        return d == null ? null : d.toString();
    }

    static long[] attrLongs(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        Object d = a == null ? null : a.getData();
        return d == null ? null : toLongs(d);
    }

    static String[] attrStrings(Node node, String name) {
        Attribute a = node.getAttributes().get(name);
        if (a == null) {
            return null;
        }
        Object d = a.getData();
        if (d == null) {
            return new String[0]; // an empty attribute, e.g. the column-order of a frame without columns
        }
        if (d instanceof String s) {
            return s.isEmpty() ? new String[0] : new String[] {s}; // "" is the column-order of a frame without columns
        }
        return toStrings(d);
    }

    static Dataset dataset(Group g, String name, Path file) {
        Node n = child(g, name);
        if (!(n instanceof Dataset ds)) {
            throw new UserException(file + ": missing dataset " + g.getPath() + name);
        }
        return ds;
    }

    /** Reads a whole dataset, wrapping jhdf's failures on damaged chunks as user errors. */
    static Object read(Dataset ds, Path file) {
        try {
            return ds.getDataFlat();
        } catch (RuntimeException e) {
            throw new UserException(file + ": cannot read " + ds.getPath() + " (corrupt or truncated file?): " + e.getMessage(), e);
        }
    }

    static Object readSlice(Dataset ds, long offset, int length, Path file) {
        try {
            return ds.getData(new long[] {offset}, new int[] {length});
        } catch (RuntimeException e) {
            throw new UserException(file + ": cannot read " + ds.getPath() + " (corrupt or truncated file?): " + e.getMessage(), e);
        }
    }

    static long[] toLongs(Object a) {
        if (a instanceof long[] l) return l;
        int n = Array.getLength(a);
        long[] out = new long[n];
        if (a instanceof int[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof short[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof byte[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof double[] v) for (int i = 0; i < n; i++) out[i] = (long) v[i];
        else if (a instanceof float[] v) for (int i = 0; i < n; i++) out[i] = (long) v[i];
        else throw new IllegalArgumentException("not an integer array: " + a.getClass().getSimpleName());
        return out;
    }

    static int[] toInts(Object a) {
        if (a instanceof int[] v) return v;
        long[] l = toLongs(a);
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) out[i] = Math.toIntExact(l[i]);
        return out;
    }

    static double[] toDoubles(Object a) {
        if (a instanceof double[] d) return d;
        int n = Array.getLength(a);
        double[] out = new double[n];
        if (a instanceof float[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof int[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof long[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof short[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof byte[] v) for (int i = 0; i < n; i++) out[i] = v[i];
        else if (a instanceof boolean[] v) for (int i = 0; i < n; i++) out[i] = v[i] ? 1 : 0;
        else throw new IllegalArgumentException("not a numeric array: " + a.getClass().getSimpleName());
        return out;
    }

    static String[] toStrings(Object a) {
        if (a instanceof String[] s) return s;
        int n = Array.getLength(a);
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
            Object v = Array.get(a, i);
            out[i] = v == null ? null : v.toString();
        }
        return out;
    }

    /** A 1-D dataset as a typed column (h5py stores bools as an enum of FALSE/TRUE, which jhdf gives as names). */
    static ObsColumn column(String name, Object data) {
        if (data instanceof String[] s) {
            boolean allBool = s.length > 0;
            for (String v : s) {
                if (!"TRUE".equals(v) && !"FALSE".equals(v)) {
                    allBool = false;
                    break;
                }
            }
            if (allBool) {
                boolean[] b = new boolean[s.length];
                for (int i = 0; i < s.length; i++) b[i] = "TRUE".equals(s[i]);
                return ObsColumn.bools(name, b);
            }
            return ObsColumn.strings(name, s);
        }
        if (data instanceof boolean[] b) return ObsColumn.bools(name, b);
        if (data instanceof double[] d) return ObsColumn.doubles(name, d);
        if (data instanceof float[] f) return ObsColumn.floats(name, f);
        if (data instanceof long[] || data instanceof int[] || data instanceof short[] || data instanceof byte[]) {
            return ObsColumn.longs(name, toLongs(data));
        }
        return ObsColumn.strings(name, toStrings(data));
    }

    static List<String> childNames(Group g) {
        return new ArrayList<>(g.getChildren().keySet());
    }
}
