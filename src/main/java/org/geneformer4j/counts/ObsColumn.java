package org.geneformer4j.counts;

/**
 * One per-cell (obs, loom column attribute) or per-gene column. Categoricals are decoded to strings; missing
 * values are null (strings) or NaN (numbers).
 */
public final class ObsColumn {
    public enum Kind { STRING, LONG, DOUBLE, FLOAT, BOOL }

    private final String name;
    private final Kind kind;
    private final Object values;

    private ObsColumn(String name, Kind kind, Object values) {
        this.name = name;
        this.kind = kind;
        this.values = values;
    }

    public static ObsColumn strings(String name, String[] v) {
        return new ObsColumn(name, Kind.STRING, v);
    }

    public static ObsColumn longs(String name, long[] v) {
        return new ObsColumn(name, Kind.LONG, v);
    }

    public static ObsColumn doubles(String name, double[] v) {
        return new ObsColumn(name, Kind.DOUBLE, v);
    }

    public static ObsColumn floats(String name, float[] v) {
        return new ObsColumn(name, Kind.FLOAT, v);
    }

    public static ObsColumn bools(String name, boolean[] v) {
        return new ObsColumn(name, Kind.BOOL, v);
    }

    public String name() {
        return name;
    }

    public Kind kind() {
        return kind;
    }

    public int size() {
        return switch (kind) {
            case STRING -> ((String[]) values).length;
            case LONG -> ((long[]) values).length;
            case DOUBLE -> ((double[]) values).length;
            case FLOAT -> ((float[]) values).length;
            case BOOL -> ((boolean[]) values).length;
        };
    }

    /** The values as their primitive (or String) array: the representation dataset rows use too. */
    public Object values() {
        return values;
    }

    public boolean isNumeric() {
        return kind != Kind.STRING;
    }

    /** Boxed value: String, Long, Double, Float or Boolean. */
    public Object get(int i) {
        return switch (kind) {
            case STRING -> ((String[]) values)[i];
            case LONG -> ((long[]) values)[i];
            case DOUBLE -> ((double[]) values)[i];
            case FLOAT -> ((float[]) values)[i];
            case BOOL -> ((boolean[]) values)[i];
        };
    }

    public double asDouble(int i) {
        return switch (kind) {
            case STRING -> Double.parseDouble(((String[]) values)[i]);
            case LONG -> ((long[]) values)[i];
            case DOUBLE -> ((double[]) values)[i];
            case FLOAT -> ((float[]) values)[i];
            case BOOL -> ((boolean[]) values)[i] ? 1 : 0;
        };
    }

    public String asString(int i) {
        Object v = get(i);
        return v == null ? null : v.toString();
    }

    /** The same column restricted to the given rows, in that order. */
    public ObsColumn select(int[] rows) {
        return switch (kind) {
            case STRING -> {
                String[] src = (String[]) values, dst = new String[rows.length];
                for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
                yield strings(name, dst);
            }
            case LONG -> {
                long[] src = (long[]) values, dst = new long[rows.length];
                for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
                yield longs(name, dst);
            }
            case DOUBLE -> {
                double[] src = (double[]) values, dst = new double[rows.length];
                for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
                yield doubles(name, dst);
            }
            case FLOAT -> {
                float[] src = (float[]) values, dst = new float[rows.length];
                for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
                yield floats(name, dst);
            }
            case BOOL -> {
                boolean[] src = (boolean[]) values, dst = new boolean[rows.length];
                for (int i = 0; i < rows.length; i++) dst[i] = src[rows[i]];
                yield bools(name, dst);
            }
        };
    }
}
