package org.geneformer4j.kernel;

import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.geneformer4j.TestData;

/**
 * The one rule for tests of libgeneformer_native (issue 15). A machine without cmake or a C++ compiler builds no
 * library (native/build.sh says so and carries on), and its tests may skip; in CI ({@code CI=true}) that same
 * skip would hide a runner that lost its toolchain behind a green build, so there a missing library fails.
 * A library that was built but does not load fails everywhere: that is a broken build, not a missing tool.
 */
public final class NativeBuild {
    /** Where native/build.sh puts the library; its absence means the build skipped it. */
    static final String LIBRARY = "target/native/libgeneformer_native.so";

    private NativeBuild() {}

    enum Outcome { RUN, SKIP, FAIL }

    /** What a test does about the library, and why. */
    record Verdict(Outcome outcome, String why) {}

    static Verdict verdict(boolean loaded, boolean built, boolean ci, String loadError, Path library) {
        if (loaded) {
            return new Verdict(Outcome.RUN, "loaded");
        }
        if (built) {
            return new Verdict(Outcome.FAIL, library + " was built but does not load: " + loadError);
        }
        String missing = library + " was not built: native/build.sh found no cmake or no C++ compiler on the PATH"
                + " (or GENEFORMER_NATIVE=off); see the [native] lines of the build log";
        if (ci) {
            return new Verdict(Outcome.FAIL, "CI=true and " + missing + ". CI must build and test the native library:"
                    + " install cmake and a C++ compiler on the runner");
        }
        return new Verdict(Outcome.SKIP, missing + "; the Java paths are what runs here");
    }

    /** CI=true, as GitHub Actions, GitLab CI and most runners set it (and .ci/run makes sure of). */
    static boolean ci() {
        return "true".equalsIgnoreCase(System.getenv("CI"));
    }

    private static Verdict here() {
        Path lib = TestData.projectDir().resolve(LIBRARY);
        NativeLibrary.Status st = NativeLibrary.status();
        return verdict(st.loaded(), Files.exists(lib), ci(), st.reason(), lib);
    }

    /** For tests that mean nothing without the library: skips them where it was not built, except in CI. */
    public static void assumeLoadable() {
        Verdict v = here();
        if (v.outcome() == Outcome.FAIL) {
            fail(v.why());
        }
        assumeTrue(v.outcome() == Outcome.RUN, v.why());
    }

    /**
     * For tests that check the behaviour without the library too: whether it is loaded. Never false in CI, nor
     * where it was built (both fail instead), so the no-library branch cannot stand in for the real one there.
     */
    public static boolean loadable() {
        Verdict v = here();
        if (v.outcome() == Outcome.FAIL) {
            fail(v.why());
        }
        return v.outcome() == Outcome.RUN;
    }
}
