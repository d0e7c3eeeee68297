package org.geneformer4j.tune;

import java.util.List;

/**
 * One dimension of a search space: log-uniform, uniform or integer-uniform between bounds, or a choice among values.
 */
public record Param(String name, Kind kind, double low, double high, List<Object> choices) {
    public enum Kind { LOGUNIFORM, UNIFORM, INT, CHOICE }

    /** Where TPE models the value: log scale for log-uniform, else as is. */
    double toInternal(double v) {
        return kind == Kind.LOGUNIFORM ? Math.log(v) : v;
    }

    double fromInternal(double x) {
        double v = kind == Kind.LOGUNIFORM ? Math.exp(x) : x;
        v = Math.min(high, Math.max(low, v));
        return kind == Kind.INT ? Math.round(v) : v;
    }

    double internalLow() {
        return toInternal(low);
    }

    double internalHigh() {
        return toInternal(high);
    }
}
