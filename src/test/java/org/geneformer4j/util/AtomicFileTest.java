package org.geneformer4j.util;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AtomicFile's contract: the content is staged under a name of this process beside the target and published by one
 * rename; until then an existing target is untouched, and a writer that fails leaves the directory as it found it.
 * (Lock refusal and dead-writer takeover are ConcurrentWritersTest's.)
 */
class AtomicFileTest {
    @TempDir
    Path tmp;

    @Test
    void stagingIsAHiddenSiblingNamedForThisHostAndProcessAndNewForEachWriter() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Pattern name = Pattern.compile(Pattern.quote(".cells.csv.partial-" + OutputLock.HOST + "-"
                + ProcessHandle.current().pid() + "-") + "[0-9a-f]{8}");
        Set<Path> seen = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            try (AtomicFile f = AtomicFile.create(target, true)) {
                // the same directory, so that the publishing rename never crosses a file system
                assertEquals(tmp, f.temp().getParent());
                assertTrue(name.matcher(f.temp().getFileName().toString()).matches(), f.temp().toString());
                assertTrue(seen.add(f.temp()), "a staging name came twice: " + f.temp());
            }
        }
        assertEquals(List.of(), entries(), "writers that never committed leave nothing");
    }

    @Test
    void theContentIsPublishedByRenamingTheStagedFile() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Object staged;
        try (AtomicFile f = AtomicFile.create(target, false)) {
            f.stream().write("id,x\n1,2\n".getBytes(StandardCharsets.UTF_8));
            f.stream().flush();
            assertFalse(Files.exists(target), "nothing is visible at the target before commit");
            staged = fileKey(f.temp());
            f.commit();
            assertFalse(Files.exists(f.temp()));
        }
        assertEquals("id,x\n1,2\n", Files.readString(target));
        assertEquals(staged, fileKey(target), "the target is the staged file itself (a rename), not a copy of it");
        assertEquals(List.of("cells.csv"), entries(), "no staging or lock left");
    }

    @Test
    void aWriterThatThrowsLeavesNoTargetNoStagingAndNoLock() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Path[] temp = new Path[1];
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> {
            try (AtomicFile f = AtomicFile.create(target, false)) {
                temp[0] = f.temp();
                f.stream().write(new byte[100_000]);
                throw new IllegalStateException("the writer failed half-way");
            }
        });
        assertEquals("the writer failed half-way", e.getMessage(), "close() does not replace the writer's error");
        assertFalse(Files.exists(temp[0]));
        assertEquals(List.of(), entries());
        try (AtomicFile again = AtomicFile.create(target, false)) {
            again.commit(); // the lock was released: the next writer is not refused
        }
        assertEquals(0, Files.size(target), "commit with nothing written publishes an empty file");
    }

    @Test
    void anExistingTargetStaysIntactUntilTheRenameAndAReaderKeepsTheOldContent() throws Exception {
        Path target = tmp.resolve("cells.csv");
        byte[] old = "old content\n".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Files.write(target, old);
        Object oldKey = fileKey(target);
        try (InputStream reader = Files.newInputStream(target); AtomicFile f = AtomicFile.create(target, true)) {
            reader.readNBytes(10);
            f.stream().write("new\n".getBytes(StandardCharsets.UTF_8));
            f.stream().flush();
            assertArrayEquals(old, Files.readAllBytes(target), "written, not yet committed: the target is the old one");
            assertEquals(oldKey, fileKey(target));
            f.commit();
            // a job reading the old output when it was replaced reads the old file to its end, not a mixture
            assertArrayEquals(Arrays.copyOfRange(old, 10, old.length), reader.readAllBytes());
        }
        assertEquals("new\n", Files.readString(target));
    }

    @Test
    void aFailedReplacementKeepsTheOldTarget() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Files.writeString(target, "old\n");
        assertThrows(IOException.class, () -> {
            try (AtomicFile f = AtomicFile.create(target, true)) {
                f.stream().write("half of the new".getBytes(StandardCharsets.UTF_8));
                throw new IOException("No space left on device");
            }
        });
        assertEquals("old\n", Files.readString(target));
        assertEquals(List.of("cells.csv"), entries());
    }

    @Test
    void withoutOverwriteAnExistingTargetIsRefusedUntouchedAndUnlocked() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Files.writeString(target, "mine\n");
        UserException e = assertThrows(UserException.class, () -> AtomicFile.create(target, false));
        assertTrue(e.getMessage().contains("already exists") && e.getMessage().contains("--overwrite"), e.getMessage());
        assertEquals("mine\n", Files.readString(target));
        assertEquals(List.of("cells.csv"), entries(), "the refusal leaves no lock behind");
    }

    @Test
    void aLibraryWritingToTheStagingPathItselfIsPublishedAsItWrote() throws Exception {
        // h5py-like writers are given temp() and never touch stream(); commit must not truncate what they wrote
        Path target = tmp.resolve("cells.h5ad");
        byte[] written = new byte[70_000];
        new java.util.Random(1).nextBytes(written);
        try (AtomicFile f = AtomicFile.create(target, false)) {
            Files.write(f.temp(), written);
            f.commit();
        }
        assertArrayEquals(written, Files.readAllBytes(target));
    }

    @Test
    void closingAfterCommitKeepsTheOutputAndWriteStringReplacesIt() throws Exception {
        Path target = tmp.resolve("run.json");
        AtomicFile f = AtomicFile.create(target, false);
        f.stream().write("{\"a\":1}".getBytes(StandardCharsets.UTF_8));
        f.commit();
        f.close();
        f.close();
        assertEquals("{\"a\":1}", Files.readString(target));
        AtomicFile.writeString(target, "{\"a\":2}");
        assertEquals("{\"a\":2}", Files.readString(target));
        assertEquals(List.of("run.json"), entries());
    }

    /**
     * Four threads replace one file over and over with 64 KiB of their own byte while a reader reads it: every read
     * and the final file are one writer's whole content. A writer that finds the output locked is refused (Busy),
     * never let through to write alongside.
     */
    @Test
    void concurrentWritersNeverProduceAMixedFile() throws Exception {
        Path target = tmp.resolve("cells.csv");
        int size = 64 * 1024;
        AtomicInteger commits = new AtomicInteger(), refusals = new AtomicInteger(), wholeReads = new AtomicInteger();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean writing = new AtomicBoolean(true);
        CountDownLatch start = new CountDownLatch(1);
        Thread reader = new Thread(() -> {
            while (writing.get()) {
                try {
                    byte[] b = Files.readAllBytes(target);
                    if (b.length != size || !uniform(b)) {
                        problems.add("read " + b.length + " bytes, uniform " + uniform(b));
                    }
                    wholeReads.incrementAndGet();
                } catch (NoSuchFileException e) {
                    // not published yet
                } catch (IOException e) {
                    problems.add(e.toString());
                }
            }
        });
        Thread[] writers = new Thread[4];
        for (int w = 0; w < writers.length; w++) {
            byte fill = (byte) ('a' + w);
            writers[w] = new Thread(() -> {
                byte[] chunk = new byte[1024];
                Arrays.fill(chunk, fill);
                try {
                    start.await();
                    for (int i = 0; i < 150; i++) {
                        try (AtomicFile f = AtomicFile.create(target, true)) {
                            OutputStream out = f.stream();
                            for (int k = 0; k < size / chunk.length; k++) {
                                out.write(chunk);
                                if (k % 16 == 0) Thread.yield(); // widen the window for another writer
                            }
                            f.commit();
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
        reader.start();
        start.countDown();
        for (Thread w : writers) w.join();
        writing.set(false);
        reader.join();
        assertEquals(List.of(), List.copyOf(problems));
        assertEquals(600, commits.get() + refusals.get());
        assertTrue(commits.get() > 0 && wholeReads.get() > 0, commits + " commits, " + wholeReads + " reads");
        byte[] last = Files.readAllBytes(target);
        assertTrue(last.length == size && uniform(last), "the final file is one writer's");
        assertEquals(List.of("cells.csv"), entries());
    }

    private static boolean uniform(byte[] b) {
        for (byte x : b) {
            if (x != b[0]) return false;
        }
        return true;
    }

    static Object fileKey(Path p) throws IOException {
        Object k = Files.readAttributes(p, BasicFileAttributes.class).fileKey();
        assertNotNull(k, "this file system gives no file keys (inode numbers)");
        return k;
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
