package org.geneformer4j.util;

/**
 * Closing in a {@code finally} without hiding the error that got there: the first error wins and a close error
 * after it is attached as suppressed. (A full disk once surfaced as the Arrow allocator's "Memory was leaked by
 * query", thrown by a close after the failed write.)
 */
public final class Closing {
    private Closing() {}

    /**
     * Closes {@code c} (null is skipped). With {@code primary} null the close error propagates as it is; otherwise
     * it is added to {@code primary}, which the caller is rethrowing.
     */
    public static void close(AutoCloseable c, Throwable primary) {
        if (c == null) {
            return;
        }
        try {
            c.close();
        } catch (Throwable t) {
            if (primary != null) {
                if (primary != t) primary.addSuppressed(t);
                return;
            }
            if (t instanceof RuntimeException r) throw r;
            if (t instanceof Error e) throw e;
            throw new IllegalStateException(t);
        }
    }
}
