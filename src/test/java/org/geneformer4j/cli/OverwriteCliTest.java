package org.geneformer4j.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.TestData;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.UserException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * --overwrite replaces only what geneformer wrote: never an input, a folder holding one, the home or working
 * directory, a root, or a folder of someone else's files; each refusal is one error line and leaves everything as it was.
 */
class OverwriteCliTest {
    @TempDir
    Path tmp;

    @Test
    void tokenizeRefusesToReplaceItsOwnInput() throws Exception {
        Path in = Files.copy(TestData.example(), tmp.resolve("x.h5ad"));
        byte[] before = Files.readAllBytes(in);
        Cli r = Cli.run("tokenize", "-i", in.toString(), "-o", in.toString(), "--overwrite");
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains("it is an input of this command"), r.err());
        assertArrayEquals(before, Files.readAllBytes(in), "the input is untouched");
    }

    @Test
    void tokenizeRefusesAFolderHoldingItsInput() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("work"));
        Path in = Files.copy(TestData.example(), dir.resolve("x.h5ad"));
        Cli r = Cli.run("tokenize", "-i", in.toString(), "-o", dir.toString(), "--overwrite");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("an input of this command"), r.err());
        assertTrue(Files.isRegularFile(in));
    }

    @Test
    void tokenizeRefusesAFolderThatIsNotADataset() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("notes"));
        Files.writeString(dir.resolve("thesis.tex"), "years of work");
        Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", dir.toString(), "--overwrite");
        assertEquals(1, r.exit(), r.err());
        assertEquals(1, r.errorLines(), r.err());
        assertTrue(r.err().contains("not a tokenized dataset"), r.err());
        assertEquals("years of work", Files.readString(dir.resolve("thesis.tex")));
    }

    @Test
    void tokenizeReplacesADatasetItWrote() {
        Path out = tmp.resolve("cells.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString()).exit());
        Cli again = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString(), "--overwrite");
        assertEquals(0, again.exit(), again.err());
    }

    @Test
    void finetuneRefusesAFolderOfSomeoneElsesFiles() throws Exception {
        Path ds = tmp.resolve("pbmc.dataset");
        assertEquals(0, Cli.run("tokenize", "-i", TestData.example().toString(), "-o", ds.toString(), "--attr", "bulk_labels=cell_type").exit());
        Path out = Files.createDirectories(tmp.resolve("results"));
        Files.writeString(out.resolve("unrelated.csv"), "a,b\n");
        Cli r = Cli.run("finetune", "cell", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", ds.toString(),
                "--label", "cell_type", "--filter", FinetuneCliTest.THREE, "--epochs", "1", "-o", out.toString(), "--overwrite");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("not a fine-tuning run"), r.err());
        assertTrue(Files.exists(out.resolve("unrelated.csv")));
    }

    @Test
    void embedRefusesToReplaceAFileOfAnotherFormat() throws Exception {
        Path out = tmp.resolve("cells.h5ad");
        Files.writeString(out, "not an HDF5 file");
        Cli r = Cli.run("embed", "-m", TestData.resource("fixtures/model/tiny_v2").toString(), "-i", TestData.example().toString(),
                "-o", out.toString(), "--overwrite");
        assertEquals(1, r.exit(), r.err());
        assertTrue(r.err().contains("not a .h5ad file"), r.err());
        assertEquals("not an HDF5 file", Files.readString(out));
    }

    @Test
    void tokenizeRefusesWhileAnotherLiveProcessWritesTheSameOutput() throws Exception {
        Path out = tmp.resolve("cells.dataset");
        Process other = new ProcessBuilder("sleep", "60").start();
        try {
            String host = Files.readString(Path.of("/proc/sys/kernel/hostname")).trim().replaceAll("[^A-Za-z0-9._-]", "_").toLowerCase();
            Files.writeString(tmp.resolve(".cells.dataset.lock"), "host=" + host + "\npid=" + other.pid() + "\n");
            Cli r = Cli.run("tokenize", "-i", TestData.example().toString(), "-o", out.toString(), "--overwrite");
            assertEquals(1, r.exit(), r.err());
            assertEquals(1, r.errorLines(), r.err());
            assertTrue(r.err().contains("being written by another process (host " + host + ", pid " + other.pid()), r.err());
            assertTrue(!Files.exists(out), "nothing published");
        } finally {
            other.destroy();
        }
    }

    @Test
    void theWorkingDirectoryItsParentsTheHomeAndRootsAreNeverReplaced() {
        Path cwd = Path.of("").toAbsolutePath();
        OutputGuard.Kind any = new OutputGuard.Kind("anything", p -> true);
        Path home = Path.of(System.getProperty("user.home"));
        for (Path p : List.of(cwd, cwd.getParent(), cwd.getRoot(), home)) {
            UserException e = assertThrows(UserException.class, () -> OutputGuard.check(p, true, any, List.of()));
            assertTrue(e.getMessage().matches(".*(working directory|root|home directory).*"), e.getMessage());
        }
    }
}
