package org.geneformer4j.util;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** A file written under a temporary name beside its target and renamed into place only when complete. */
public final class AtomicFile implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final OutputStream out;
    private boolean done;

    private AtomicFile(Path target, Path temp) throws IOException {
        this.target = target;
        this.temp = temp;
        this.out = Files.newOutputStream(temp);
    }

    public static AtomicFile create(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new UserException(target + " already exists (pass --overwrite to replace it)");
        }
        try {
            Files.createDirectories(abs.getParent());
            Path temp = abs.resolveSibling("." + abs.getFileName() + ".partial");
            Files.deleteIfExists(temp);
            return new AtomicFile(abs, temp);
        } catch (IOException e) {
            throw new UserException("cannot create " + target + ": " + e.getMessage(), e);
        }
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

    /** Where the content is written until {@link #commit()} renames it. */
    public Path temp() {
        return temp;
    }

    public OutputStream stream() {
        return out;
    }

    public void commit() throws IOException {
        out.close();
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
        done = true;
    }

    @Override
    public void close() {
        if (!done) {
            try {
                out.close();
                Files.deleteIfExists(temp);
            } catch (IOException ignored) {
                // nothing more to do
            }
        }
    }
}
