package org.geneformer4j.util;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two writers of one output: the second refuses while the first lives (the lock names it), their staging never
 * collides, and a killed writer's lock and staging are taken over by the next run.
 */
class ConcurrentWritersTest {
    @TempDir
    Path tmp;

    @Test
    void aSecondWriterOfADirectoryRefusesAndLeavesTheFirstOnesStagingAlone() throws Exception {
        Path target = tmp.resolve("cells.dataset");
        try (AtomicDirectory first = AtomicDirectory.create(target, true)) {
            Files.writeString(first.staging().resolve("data-00000-of-00001.arrow"), "first");
            UserException e = assertThrows(UserException.class, () -> AtomicDirectory.create(target, true).close());
            assertTrue(e.getMessage().contains("being written by another process")
                    && e.getMessage().contains("pid " + ProcessHandle.current().pid()), e.getMessage());
            assertTrue(Files.exists(first.staging().resolve("data-00000-of-00001.arrow")), "the first writer's staging is intact");
            first.commit();
        }
        assertEquals("first", Files.readString(target.resolve("data-00000-of-00001.arrow")));
        assertEquals(1, entries(), "only the output: no lock or staging left");
    }

    @Test
    void aSecondWriterOfAFileRefusesAndStagingNamesAreUniquePerWriter() throws Exception {
        Path target = tmp.resolve("cells.csv");
        Path firstTemp;
        try (AtomicFile first = AtomicFile.create(target, true)) {
            firstTemp = first.temp();
            assertTrue(firstTemp.getFileName().toString().startsWith(".cells.csv.partial-"), firstTemp.toString());
            assertThrows(UserException.class, () -> AtomicFile.create(target, true).close());
            first.stream().write("a,b\n".getBytes());
            first.commit();
        }
        try (AtomicFile second = AtomicFile.create(target, true)) {
            assertNotEquals(firstTemp, second.temp());
        }
        assertEquals("a,b\n", Files.readString(target));
        assertEquals(1, entries());
    }

    @Test
    void theLockAndStagingOfADeadWriterAreTakenOver() throws Exception {
        Process p = new ProcessBuilder("true").start();
        p.waitFor();
        long dead = p.pid();
        Path target = tmp.resolve("cells.dataset");
        Files.writeString(tmp.resolve(".cells.dataset.lock"), "host=" + OutputLock.HOST + "\npid=" + dead + "\n");
        Path leftover = Files.createDirectories(tmp.resolve(".cells.dataset.partial-" + OutputLock.HOST + "-" + dead + "-0badc0de"));
        Files.writeString(leftover.resolve("half.arrow"), "half-written");
        try (AtomicDirectory d = AtomicDirectory.create(target, false)) {
            assertFalse(Files.exists(leftover), "a dead writer's staging is removed");
            Files.writeString(d.staging().resolve("state.json"), "{}");
            d.commit();
        }
        assertEquals(1, entries());
    }

    @Test
    void aLockFromAnotherHostIsNeverTakenOver() throws Exception {
        Files.writeString(tmp.resolve(".cells.dataset.lock"), "host=some-other-node\npid=1\n");
        UserException e = assertThrows(UserException.class, () -> AtomicDirectory.create(tmp.resolve("cells.dataset"), false));
        assertTrue(e.getMessage().contains("host some-other-node, pid 1") && e.getMessage().contains("delete the lock file"), e.getMessage());
    }

    private long entries() throws Exception {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.count();
        }
    }
}
