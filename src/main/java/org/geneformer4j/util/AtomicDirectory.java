package org.geneformer4j.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * An output directory that appears complete or not at all: everything is written into a hidden sibling
 * {@code .NAME.partial-<host>-<pid>-<random>}, which {@link #commit()} renames to {@code NAME}, the only
 * publication. The output's {@link OutputLock} is held from creation to commit, so a second writer refuses. A
 * killed run leaves only its staging and a stale lock, both of which the next run of the same output removes; a
 * failed run removes them itself.
 */
public final class AtomicDirectory implements AutoCloseable {
    private final Path target;
    private final Path staging;
    private final OutputLock lock;
    private final Thread cleanup;
    private boolean done;

    private AtomicDirectory(Path target, Path staging, OutputLock lock) {
        this.target = target;
        this.staging = staging;
        this.lock = lock;
        this.cleanup = new Thread(() -> {
            deleteQuietly(staging);
            lock.close();
        }, "remove-partial-output");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    /**
     * @param overwrite whether an existing {@code target} may be replaced (at commit, not before)
     */
    public static AtomicDirectory create(Path target, boolean overwrite) {
        Path abs = target.toAbsolutePath().normalize();
        if (Files.exists(abs) && !overwrite) {
            throw new UserException(target + " already exists (pass --overwrite to replace it)");
        }
        OutputLock lock = OutputLock.acquire(abs);
        try {
            if (Files.exists(abs) && !overwrite) {
                throw new UserException(target + " already exists (pass --overwrite to replace it)"); // published meanwhile
            }
            Path staging = OutputLock.stagingFor(abs);
            Files.createDirectory(staging);
            return new AtomicDirectory(abs, staging, lock);
        } catch (IOException e) {
            lock.close();
            throw new UserException("cannot create output " + target + ": " + e.getMessage(), e);
        } catch (RuntimeException e) {
            lock.close();
            throw e;
        }
    }

    /** Where to write the content until commit. */
    public Path staging() {
        return staging;
    }

    public Path target() {
        return target;
    }

    public void commit() throws IOException {
        if (Files.exists(target)) {
            Path old = OutputLock.stagingFor(target); // a dead writer's, should this one be killed before removing it
            Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
            try {
                moveIntoPlace();
            } catch (IOException | RuntimeException e) {
                // the previous output is still whole: put it back rather than leave it as staging to be swept
                try {
                    Files.move(old, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (IOException | RuntimeException back) {
                    e.addSuppressed(back);
                }
                throw e;
            }
            deleteRecursively(old);
        } else {
            moveIntoPlace();
        }
        done = true;
        lock.close();
        removeHook();
    }

    private void moveIntoPlace() throws IOException {
        try {
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(staging, target);
        }
    }

    /** Removes the partial output unless it was committed. */
    @Override
    public void close() {
        if (!done) {
            deleteQuietly(staging);
            lock.close();
            removeHook();
            done = true;
        }
    }

    private void removeHook() {
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException ignored) {
            // already shutting down: the hook itself is running
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            deleteRecursively(p);
        } catch (IOException | UncheckedIOException ignored) {
            // best effort during shutdown
        }
    }

    /**
     * Removes a published directory as one step, then its files: a kill midway leaves a dead writer's staging
     * (swept later), never a half-deleted {@code p} that a reader could take for a whole one.
     */
    public static void remove(Path p) throws IOException {
        Path abs = p.toAbsolutePath().normalize();
        if (!Files.exists(abs)) {
            return;
        }
        Path aside = OutputLock.stagingFor(abs);
        Files.move(abs, aside, StandardCopyOption.ATOMIC_MOVE);
        deleteRecursively(aside);
    }

    public static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        Files.walkFileTree(p, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
