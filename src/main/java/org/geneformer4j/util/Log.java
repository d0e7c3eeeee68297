package org.geneformer4j.util;

/**
 * Where a run reports what it did: one line per event, for a person or a batch log. Passed down from the command
 * rather than held in static state, so that tests and concurrent runs in one JVM keep their messages apart.
 */
public interface Log {
    void info(String message);

    /** Detail that only {@code --verbose} shows. */
    default void detail(String message) {
        if (verbose()) {
            info(message);
        }
    }

    boolean verbose();

    /** Lines on stderr; the detail when {@code verbose} says so at the time of the line. */
    static Log stderr(java.util.function.BooleanSupplier verbose) {
        return new Log() {
            @Override
            public void info(String message) {
                System.err.println(message);
            }

            @Override
            public boolean verbose() {
                return verbose.getAsBoolean();
            }
        };
    }

    /** Nothing: for tests and nested runs whose caller reports. */
    static Log silent() {
        return new Log() {
            @Override
            public void info(String message) { }

            @Override
            public boolean verbose() {
                return false;
            }
        };
    }
}
