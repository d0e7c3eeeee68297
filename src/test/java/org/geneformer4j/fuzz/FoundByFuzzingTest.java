package org.geneformer4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.util.UserException;
import org.geneformer4j.vocab.GeneVocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.function.Executable;

/**
 * The shrunk inputs {@link ReaderFuzzTest} found, kept as plain tests: each once escaped as another exception or
 * an allocation of gigabytes, and must stay one user error.
 */
class FoundByFuzzingTest {
    @TempDir
    Path tmp;

    private static void userError(String expect, Executable read) {
        UserException e = assertThrows(UserException.class, read);
        assertTrue(e.getMessage().contains(expect), e.getMessage());
    }

    private Path tenx(int damaged, Mutation m) {
        for (int i = 0; i < ReaderFuzzTest.MTX.length; i++) {
            byte[] b = ReaderFuzzTest.MTX[i];
            Fuzz.write(tmp, ReaderFuzzTest.MTX_FILES[i], i == damaged ? m.apply(b) : b);
        }
        return tmp;
    }

    @Test
    void featureRowShorterThanTheFirst() {
        Path dir = tenx(1, new Mutation(Mutation.Kind.DELETE, 6, 8)); // was ArrayIndexOutOfBoundsException
        userError("genes.tsv", () -> ReaderFuzzTest.readCells(dir));
    }

    @Test
    void damagedMatrixMarketSizeLine() {
        Path dir = tenx(0, new Mutation(Mutation.Kind.FLIP_BIT, 49, 0)); // was NumberFormatException
        userError("matrix.mtx", () -> ReaderFuzzTest.readCells(dir));
    }

    @Test
    void matrixMarketEntryCountIsNotAnAllocation() {
        Path dir = tenx(0, new Mutation(Mutation.Kind.FLIP_BIT, 49, 0));
        // a size line declaring two billion entries: refused, not reserved
        String mtx = new String(ReaderFuzzTest.MTX[0], java.nio.charset.StandardCharsets.US_ASCII);
        String[] lines = mtx.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (!lines[i].startsWith("%")) {
                String[] f = lines[i].trim().split("\\s+");
                lines[i] = f[0] + " " + f[1] + " 2147483000";
                break;
            }
        }
        Fuzz.write(dir, "matrix.mtx", String.join("\n", lines).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        userError("entries", () -> ReaderFuzzTest.readCells(dir));
    }

    private void readArrow(Mutation m) {
        Path f = Fuzz.write(tmp, "data.arrow", m.apply(ReaderFuzzTest.ARROW));
        userError("data.arrow", () -> {
            try (DatasetReader r = Datasets.open(f)) {
                while (r.hasNext()) r.next();
            }
        });
    }

    @Test
    void arrowBodyLengthPastTheEnd() {
        readArrow(new Mutation(Mutation.Kind.BIG_INT32, 13, 34)); // was the allocator reserving 3.3 PB
    }

    @Test
    void arrowMetadataLengthPastTheEnd() {
        readArrow(new Mutation(Mutation.Kind.FLIP_BIT, 3, 7)); // was a 2 GiB buffer for a 1.4 KiB file
    }

    @Test
    void tokenIdFarBeyondTheDictionary() {
        Path tokens = Fuzz.write(tmp, "tokens.tsv", new Mutation(Mutation.Kind.BIG_DECIMAL, 7, 0).apply(ReaderFuzzTest.TOKENS));
        Path medians = Fuzz.write(tmp, "medians.tsv", ReaderFuzzTest.MEDIANS);
        userError("token ids run from", () -> GeneVocabulary.load(tokens, medians, null)); // was NegativeArraySizeException
    }

    @Test
    void stillReadsTheUndamagedFixtures() throws Exception {
        Path dir = tenx(-1, null);
        ReaderFuzzTest.readCells(dir);
        Path f = Fuzz.write(tmp, "data.arrow", ReaderFuzzTest.ARROW);
        try (DatasetReader r = Datasets.open(f)) {
            assertTrue(r.hasNext());
        }
        GeneVocabulary.load(Fuzz.write(tmp, "t.tsv", ReaderFuzzTest.TOKENS), Fuzz.write(tmp, "m.tsv", ReaderFuzzTest.MEDIANS), null);
    }
}
