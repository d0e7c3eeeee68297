package org.geneformer4j.util;

import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;

/**
 * One writer per output: {@code .NAME.lock} beside the output, created exclusively and holding the owner's host and
 * pid. A second writer refuses while the owner lives; the lock of a dead process on this host (a killed job) is
 * taken over, and the staging that dead writers left is removed. Staging names are unique per process
 * ({@link #stagingFor}), so writers never share or delete each other's files. See docs/decisions/0007.
 */
public final class OutputLock implements AutoCloseable {
    /** Another live process writes the same output. */
    public static final class Busy extends UserException {
        Busy(String message) {
            super(message);
        }
    }

    static final String HOST = host(); // package-private for tests that forge a dead owner's lock
    private static final long PID = ProcessHandle.current().pid();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Path file;
    private final String content;
    private boolean released;

    private OutputLock(Path file, String content) {
        this.file = file;
        this.content = content;
    }

    /** Takes the lock of {@code target} (an absolute, normalised path) or refuses with one line. */
    public static OutputLock acquire(Path target) {
        Path file = target.resolveSibling("." + target.getFileName() + ".lock");
        String mine = "host=" + HOST + "\npid=" + PID + "\n";
        try {
            Files.createDirectories(target.getParent());
            for (int attempt = 0; ; attempt++) {
                try {
                    Files.writeString(file, mine, StandardCharsets.UTF_8, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                    removeDeadStaging(target);
                    return new OutputLock(file, mine);
                } catch (FileAlreadyExistsException e) {
                    Owner o = Owner.read(file);
                    if (o == null && attempt < 20) {
                        pause(); // the owner is between creating and filling it, or just removed it
                        continue;
                    }
                    if (o != null && o.stale() && attempt < 20 && takeOver(file, o)) {
                        continue;
                    }
                    throw new Busy(target + " is being written by another process (" + (o == null ? "unreadable lock" : o)
                            + "; lock file " + file + "): wait for it to finish, or delete the lock file if that process is gone");
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot lock " + target + ": " + e.getMessage(), e);
        }
    }

    /** A staging path beside {@code target} that no other process or writer uses. */
    public static Path stagingFor(Path target) {
        byte[] r = new byte[4];
        RANDOM.nextBytes(r);
        return target.resolveSibling(stagingPrefix(target) + HOST + "-" + PID + "-" + HexFormat.of().formatHex(r));
    }

    private static String stagingPrefix(Path target) {
        return "." + target.getFileName() + ".partial-";
    }

    /** Releases the lock, if this process still owns it. */
    @Override
    public void close() {
        if (released) {
            return;
        }
        released = true;
        try {
            if (content.equals(Files.readString(file, StandardCharsets.UTF_8))) {
                Files.deleteIfExists(file);
            }
        } catch (IOException ignored) {
            // gone already: nothing to release
        }
    }

    /**
     * Moves the stale lock aside under a unique name and checks that what was moved is still the dead owner's (two
     * processes taking over at once must not remove each other's fresh lock); a live one is put back.
     */
    private static boolean takeOver(Path file, Owner seen) throws IOException {
        Path aside = stagingFor(file);
        try {
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
        } catch (NoSuchFileException e) {
            return true; // someone else took it over: try again
        } catch (AtomicMoveNotSupportedException e) {
            Files.deleteIfExists(file);
            return true;
        }
        Owner moved = Owner.read(aside);
        if (moved != null && !moved.stale()) {
            try {
                Files.move(aside, file, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                Files.deleteIfExists(aside);
            }
            return false;
        }
        Files.deleteIfExists(aside);
        return true;
    }

    /**
     * Removes the staging directories and locks that dead processes of this host left in {@code dir} for outputs
     * named {@code prefix...}: those of outputs that will not be written again under the same name (numbered
     * checkpoints), which no later lock of their own would sweep. A live writer's, or another host's, are kept.
     */
    public static void removeDeadLeftovers(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "." + prefix + "*")) {
            for (Path p : ds) {
                String name = p.getFileName().toString();
                int partial = name.indexOf(".partial-");
                if (partial > 0 && deadHere(name.substring(partial + ".partial-".length()))) {
                    AtomicDirectory.deleteRecursively(p);
                } else if (name.endsWith(".lock")) {
                    Owner o = Owner.read(p);
                    if (o != null && o.stale()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
        }
    }

    /** Whether a staging suffix ({@link #stagingFor}: host-pid-random) names a process of this host that has ended. */
    private static boolean deadHere(String hostPidRandom) {
        int random = hostPidRandom.lastIndexOf('-');
        int pid = random > 0 ? hostPidRandom.lastIndexOf('-', random - 1) : -1;
        if (pid <= 0) {
            return false;
        }
        try {
            return new Owner(hostPidRandom.substring(0, pid), Long.parseLong(hostPidRandom.substring(pid + 1, random))).stale();
        } catch (NumberFormatException e) {
            return false;
        }
    }

    /** Under the lock no other writer can be alive, so every staging of this output is a dead writer's. */
    private static void removeDeadStaging(Path target) throws IOException {
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(target.getParent(), stagingPrefix(target) + "*")) {
            for (Path p : ds) {
                AtomicDirectory.deleteRecursively(p);
            }
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for a lock");
        }
    }

    private record Owner(String host, long pid) {
        /** The owner ran on this host and has ended; one on another host cannot be checked and is never stale. */
        boolean stale() {
            return host.equals(HOST) && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
        }

        static Owner read(Path file) {
            try {
                String host = null;
                long pid = -1;
                for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                    if (line.startsWith("host=")) {
                        host = line.substring(5);
                    } else if (line.startsWith("pid=")) {
                        pid = Long.parseLong(line.substring(4).trim());
                    }
                }
                return host == null || pid < 0 ? null : new Owner(host, pid);
            } catch (IOException | NumberFormatException e) {
                return null;
            }
        }

        @Override
        public String toString() {
            return "host " + host + ", pid " + pid;
        }
    }

    /** This machine's name, as safe in a file name. */
    private static String host() {
        String h = null;
        try {
            h = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException | RuntimeException e) {
            try {
                h = InetAddress.getLocalHost().getHostName();
            } catch (IOException ignored) {
                // below
            }
        }
        h = h == null || h.isBlank() ? "localhost" : h;
        return h.replaceAll("[^A-Za-z0-9._-]", "_").toLowerCase(Locale.ROOT);
    }
}
