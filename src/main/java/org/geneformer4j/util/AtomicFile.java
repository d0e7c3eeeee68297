package org.geneformer4j.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A file written under a name unique to this writer beside its target ({@code .NAME.partial-<host>-<pid>-<random>})
 * and renamed into place only when complete; the output's {@link OutputLock} is held meanwhile, so a second writer
 * of the same file refuses instead of publishing a mixture.
 */
public final class AtomicFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputLock lock;
    private OutputStream out;
    private boolean done;

    private AtomicFile(Path target, Path temp, OutputLock lock) {
        this.target = target;
        this.temp = temp;
        this.lock = lock;
    }

    public static AtomicFile create(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new UserException(target + " already exists (pass --overwrite to replace it)");
        }
        OutputLock lock = OutputLock.acquire(abs);
        if (Files.exists(abs) && !overwrite) {
            lock.close();
            throw new UserException(target + " already exists (pass --overwrite to replace it)"); // published meanwhile
        }
        return new AtomicFile(abs, OutputLock.stagingFor(abs), lock);
    }

    /** Writes {@code text} (UTF-8) to {@code target}, replacing it, atomically. */
    public static void writeString(Path target, String text) {
        try (AtomicFile f = create(target, true)) {
            f.stream().write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            f.commit();
        } catch (IOException e) {
            throw new UserException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    /** Where the content is written until {@link #commit()} renames it: by {@link #stream()} or by a library given the path. */
    public Path temp() {
        return temp;
    }

    /** The stream onto {@link #temp()}, opened on first use (a library writing to the path itself never opens it). */
    public OutputStream stream() throws IOException {
        if (out == null) {
            out = NoSpace.naming(Files.newOutputStream(temp, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.WRITE), target);
        }
        return out;
    }

    public void commit() throws IOException {
        stream().close(); // an empty file if nothing was written

        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
        lock.close();
    }

    @Override
    public void close() {
        if (!done) {
            try {
                if (out != null) {
                    out.close();
                }
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to do
            }
            lock.close();
            done = true;
        }
    }
}
