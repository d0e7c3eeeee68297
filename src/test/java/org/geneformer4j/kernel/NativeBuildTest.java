package org.geneformer4j.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.geneformer4j.kernel.NativeBuild.Outcome;
import org.geneformer4j.kernel.NativeBuild.Verdict;
import org.junit.jupiter.api.Test;

/** The skip-or-fail rule of {@link NativeBuild}, case by case, without having to unbuild the library. */
class NativeBuildTest {
    private static final Path LIB = Path.of("/repo/target/native/libgeneformer_native.so");

    @Test
    void aMissingLibraryFailsInCiNamingTheToolchain() {
        Verdict v = NativeBuild.verdict(false, false, true, "no jniGeneformerNative", LIB);
        assertEquals(Outcome.FAIL, v.outcome());
        assertTrue(v.why().contains("CI=true") && v.why().contains("cmake") && v.why().contains("C++ compiler")
                && v.why().contains(LIB.toString()), v.why());
    }

    @Test
    void aMissingLibrarySkipsOutsideCi() {
        Verdict v = NativeBuild.verdict(false, false, false, "no jniGeneformerNative", LIB);
        assertEquals(Outcome.SKIP, v.outcome());
        assertTrue(v.why().contains("cmake"), v.why());
    }

    @Test
    void aBuiltLibraryThatDoesNotLoadFailsEverywhere() {
        for (boolean ci : new boolean[] {false, true}) {
            Verdict v = NativeBuild.verdict(false, true, ci, "ABI 2, this build needs 1", LIB);
            assertEquals(Outcome.FAIL, v.outcome(), "CI=" + ci);
            assertTrue(v.why().contains("ABI 2"), v.why());
        }
    }

    @Test
    void aLoadedLibraryRunsWhereverItCameFrom() {
        // loaded from a jar or JavaCPP's cache, with no target/native beside it: still the real thing
        assertEquals(Outcome.RUN, NativeBuild.verdict(true, false, true, "loaded", LIB).outcome());
        assertEquals(Outcome.RUN, NativeBuild.verdict(true, false, false, "loaded", LIB).outcome());
    }
}
