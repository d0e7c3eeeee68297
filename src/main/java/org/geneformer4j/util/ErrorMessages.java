package org.geneformer4j.util;

/** What of an exception goes into a one-line message. */
public final class ErrorMessages {
    private ErrorMessages() {}

    /**
     * The first line of {@code e}'s message (LibTorch's messages carry its C++ backtrace after it), or the exception
     * itself by name when it has no message.
     */
    public static String firstLine(Throwable e) {
        String m = e.getMessage();
        if (m == null) {
            return e.toString();
        }
        int nl = m.indexOf('\n');
        return (nl < 0 ? m : m.substring(0, nl)).strip();
    }
}
