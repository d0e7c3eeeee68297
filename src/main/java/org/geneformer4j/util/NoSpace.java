package org.geneformer4j.util;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/**
 * A full disk as one line that names the output: the operating system's "No space left on device" carries no path
 * (a channel or stream write does not know it), and what a user can act on is which output filled which disk.
 */
public final class NoSpace {
    private static final String ENOSPC = "No space left on device";

    private NoSpace() {}

    /** Whether {@code t} or one of its causes is the operating system's ENOSPC. */
    public static boolean isNoSpace(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException && c.getMessage() != null && c.getMessage().contains(ENOSPC)) {
                return true;
            }
        }
        return false;
    }

    public static UserException error(Path path, Throwable cause) {
        return new UserException("no space left on device (" + path + ")", cause);
    }

    /** {@code e} as the one-line error if it is a full disk while writing {@code path}, else {@code e} itself. */
    public static IOException orItself(IOException e, Path path) {
        if (isNoSpace(e)) {
            throw error(path, e);
        }
        return e;
    }

    /** The path a full-disk error names, if the exception carries one (file-system exceptions do), else null. */
    public static String pathOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof FileSystemException f && f.getFile() != null) {
                return f.getFile();
            }
        }
        return null;
    }

    /** {@code out} whose write, flush and close report a full disk as {@link #error} naming {@code path}. */
    public static OutputStream naming(OutputStream out, Path path) {
        return new FilterOutputStream(out) {
            @Override
            public void write(int b) throws IOException {
                try {
                    out.write(b);
                } catch (IOException e) {
                    throw orItself(e, path);
                }
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                try {
                    out.write(b, off, len); // not FilterOutputStream's byte-by-byte default
                } catch (IOException e) {
                    throw orItself(e, path);
                }
            }

            @Override
            public void flush() throws IOException {
                try {
                    out.flush();
                } catch (IOException e) {
                    throw orItself(e, path);
                }
            }

            @Override
            public void close() throws IOException {
                try {
                    out.close();
                } catch (IOException e) {
                    throw orItself(e, path);
                }
            }
        };
    }
}
