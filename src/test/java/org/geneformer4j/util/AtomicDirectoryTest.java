package org.geneformer4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AtomicDirectory's contract: an output directory appears complete or not at all. It is staged in a hidden sibling
 * named for this process and published by one rename; an existing output is replaced at commit, not before; a run
 * that fails, or is stopped by SIGTERM, removes its staging and lock. (A SIGKILLed run's leftovers and their
 * takeover are InterruptedRunTest's and ConcurrentWritersTest's.)
 */
class AtomicDirectoryTest {
    @TempDir
    Path tmp;

    @Test
    void stagedInAHiddenSiblingOfThisProcessAndPublishedByRenamingIt() throws Exception {
        Path target = tmp.resolve("cells.dataset");
        Pattern name = Pattern.compile(Pattern.quote(".cells.dataset.partial-" + OutputLock.HOST + "-"
                + ProcessHandle.current().pid() + "-") + "[0-9a-f]{8}");
        Object staged;
        Path staging;
        try (AtomicDirectory d = AtomicDirectory.create(target, false)) {
            staging = d.staging();
            assertEquals(tmp, staging.getParent());
            assertTrue(name.matcher(staging.getFileName().toString()).matches(), staging.toString());
            assertEquals(target.toAbsolutePath(), d.target());
            Files.writeString(staging.resolve("state.json"), "{}");
            Files.createDirectories(staging.resolve("sub")).resolve("data.arrow").toFile().createNewFile();
            assertFalse(Files.exists(target), "nothing is visible at the target before commit");
            staged = AtomicFileTest.fileKey(staging);
            d.commit();
        }
        assertEquals(staged, AtomicFileTest.fileKey(target), "the target is the staging directory, renamed");
        assertEquals(Map.of("state.json", "{}", "sub/data.arrow", ""), contents(target));
        assertFalse(Files.exists(staging));
        assertEquals(List.of("cells.dataset"), entries(), "no staging or lock left");
    }

    @Test
    void aRunThatFailsRemovesItsStagingAndLock() throws Exception {
        Path target = tmp.resolve("cells.dataset");
        Path[] staging = new Path[1];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (AtomicDirectory d = AtomicDirectory.create(target, false)) {
                staging[0] = d.staging();
                Files.createDirectories(d.staging().resolve("a/b")).resolve("shard.arrow").toFile().createNewFile();
                throw new IllegalStateException("bad input at cell 12");
            }
        });
        assertEquals("bad input at cell 12", e.getMessage());
        assertFalse(Files.exists(staging[0]));
        assertEquals(List.of(), entries());
        try (AtomicDirectory again = AtomicDirectory.create(target, false)) {
            again.commit(); // the lock was released
        }
        assertTrue(Files.isDirectory(target));
    }

    @Test
    void anExistingOutputIsReplacedAtCommitNotBefore() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("cells.dataset"));
        Files.writeString(target.resolve("state.json"), "old");
        Files.writeString(target.resolve("only-in-old.arrow"), "old");
        try (AtomicDirectory d = AtomicDirectory.create(target, true)) {
            Files.writeString(d.staging().resolve("state.json"), "new");
            assertEquals(Map.of("state.json", "old", "only-in-old.arrow", "old"), contents(target),
                    "staged, not committed: the old output is whole");
            d.commit();
        }
        assertEquals(Map.of("state.json", "new"), contents(target), "replaced, not merged into");
        assertEquals(List.of("cells.dataset"), entries(), "the old output was removed, not left aside");
    }

    @Test
    void aFailedReplacementKeepsTheOldOutput() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("cells.dataset"));
        Files.writeString(target.resolve("state.json"), "old");
        assertThrows(IOException.class, () -> {
            try (AtomicDirectory d = AtomicDirectory.create(target, true)) {
                Files.writeString(d.staging().resolve("state.json"), "half");
                throw new IOException("No space left on device");
            }
        });
        assertEquals(Map.of("state.json", "old"), contents(target));
        assertEquals(List.of("cells.dataset"), entries());
    }

    @Test
    void aPublicationThatFailsPutsTheOldOutputBack() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("cells.dataset"));
        Files.writeString(target.resolve("state.json"), "old");
        try (AtomicDirectory d = AtomicDirectory.create(target, true)) {
            Files.writeString(d.staging().resolve("state.json"), "new");
            // the staging gone before the rename, as when someone deleted the lock of a live run and a second
            // run cleared this one's staging as a dead writer's: the rename fails after the old output was moved
            AtomicDirectory.deleteRecursively(d.staging());
            assertThrows(IOException.class, d::commit);
        }
        assertEquals(Map.of("state.json", "old"), contents(target), "the previous output survives a failed commit");
        assertEquals(List.of("cells.dataset"), entries());
    }

    @Test
    void withoutOverwriteAnExistingOutputIsRefusedUntouchedAndUnlocked() throws Exception {
        Path target = Files.createDirectories(tmp.resolve("cells.dataset"));
        Files.writeString(target.resolve("state.json"), "mine");
        UserException e = assertThrows(UserException.class, () -> AtomicDirectory.create(target, false));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals(Map.of("state.json", "mine"), contents(target));
        assertEquals(List.of("cells.dataset"), entries());
    }

    /** Slurm's scancel and Ctrl-C send SIGTERM: the shutdown hook removes the staging and the lock. */
    @Test
    void aRunStoppedBySigtermLeavesNothing() throws Exception {
        Path target = tmp.resolve("cells.dataset");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", cp, StagedWriter.class.getName(), target.toString()).redirectErrorStream(true).start();
        try {
            String line = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
            assertNotNull(line, "the writer ended before staging anything");
            assertTrue(line.startsWith("staged "), line);
            Path staging = Path.of(line.substring("staged ".length()));
            assertTrue(Files.exists(staging.resolve("shard-0.arrow")) && Files.exists(tmp.resolve(".cells.dataset.lock")));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the writer did not stop on SIGTERM");
            assertEquals(List.of(), entries(), "neither staging nor lock is left");
        } finally {
            p.destroyForcibly();
        }
    }

    /** The child of {@link #aRunStoppedBySigtermLeavesNothing}: stages a file and waits to be stopped. */
    static final class StagedWriter {
        public static void main(String[] args) throws Exception {
            AtomicDirectory d = AtomicDirectory.create(Path.of(args[0]), false);
            Files.writeString(d.staging().resolve("shard-0.arrow"), "half");
            System.out.println("staged " + d.staging());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    /** Three threads replace one output directory over and over; what is left is one writer's whole output. */
    @Test
    void concurrentWritersNeverProduceAMixedOutput() throws Exception {
        Path target = tmp.resolve("cells.dataset");
        int files = 5;
        AtomicInteger commits = new AtomicInteger(), refusals = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        CountDownLatch start = new CountDownLatch(1);
        Thread[] writers = new Thread[3];
        for (int w = 0; w < writers.length; w++) {
            String me = "writer-" + w;
            writers[w] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 40; i++) {
                        try (AtomicDirectory d = AtomicDirectory.create(target, true)) {
                            for (int k = 0; k < files; k++) {
                                Files.writeString(d.staging().resolve("shard-" + k + ".arrow"), me);
                                Thread.yield();
                            }
                            d.commit();
                            commits.incrementAndGet();
                        } catch (OutputLock.Busy busy) {
                            refusals.incrementAndGet();
                        }
                    }
                } catch (Exception e) {
                    problems.add(e.toString());
                }
            });
            writers[w].start();
        }
        start.countDown();
        for (Thread w : writers) w.join();
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(120, commits.get() + refusals.get());
        Map<String, String> out = contents(target);
        assertEquals(files, out.size(), out.toString());
        assertEquals(1, out.values().stream().distinct().count(), "files of several writers: " + out);
        assertEquals(List.of("cells.dataset"), entries());
    }

    @Test
    void deleteRecursivelyRemovesATreeAndIgnoresWhatIsAbsent() throws Exception {
        Path root = Files.createDirectories(tmp.resolve("a/b/c"));
        Files.writeString(root.resolve("f"), "x");
        Files.writeString(tmp.resolve("a/g"), "y");
        AtomicDirectory.deleteRecursively(tmp.resolve("a"));
        assertEquals(List.of(), entries());
        AtomicDirectory.deleteRecursively(tmp.resolve("never-was"));
    }

    /** Every file under {@code dir} (relative path, '/'-separated) with its text. */
    private static Map<String, String> contents(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString().replace('\\', '/'), Files.readString(p));
            }
        }
        return out;
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
