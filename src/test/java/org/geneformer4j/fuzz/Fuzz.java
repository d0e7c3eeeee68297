package org.geneformer4j.fuzz;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.geneformer4j.TestData;
import org.geneformer4j.util.UserException;
import org.opentest4j.AssertionFailedError;

/**
 * The rule every reader of untrusted bytes keeps: a damaged file ends in a valid result or one {@link UserException}
 * line; never another exception (a stack trace to the user), never a hang, never an allocation sized by a corrupt
 * field (an {@link OutOfMemoryError}). Counts the outcomes per reader for docs/benchmarks.md.
 */
final class Fuzz {
    /** Far above any fixture's parse time on a loaded 2-core machine: only a loop that never ends reaches it. */
    private static final Duration HANG = Duration.ofSeconds(20);

    static final Map<String, Map<String, AtomicLong>> OUTCOMES = new ConcurrentHashMap<>();

    private Fuzz() {}

    interface Read {
        void run() throws Exception;
    }

    /** One to three mutations, as one corrupt file usually has one damage and a hostile one several. */
    static Arbitrary<List<Mutation>> mutations() {
        Arbitrary<Mutation> one = Combinators.combine(Arbitraries.of(Mutation.Kind.class),
                // half near the start, where headers, lengths and offsets live; half anywhere
                Arbitraries.oneOf(Arbitraries.integers().between(0, 4095), Arbitraries.integers().between(0, Integer.MAX_VALUE)),
                Arbitraries.integers()).as(Mutation::new);
        return one.list().ofMinSize(1).ofMaxSize(3);
    }

    static byte[] mutate(byte[] in, List<Mutation> ms) {
        byte[] out = in;
        for (Mutation m : ms) out = m.apply(out);
        return out;
    }

    static byte[] fixture(String name) {
        try {
            return Files.readAllBytes(TestData.resource(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path write(Path dir, String name, byte[] bytes) {
        try {
            return Files.write(dir.resolve(name), bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void expectCleanOutcome(String reader, Object input, Read read) {
        long t0 = System.nanoTime();
        String outcome;
        try {
            assertTimeoutPreemptively(HANG, () -> {
                read.run();
                return null;
            }, () -> reader + " hung on " + input);
            outcome = "valid";
        } catch (UserException e) {
            assertNotNull(e.getMessage(), reader + ": a user error without a message");
            assertFalse(e.getMessage().isBlank(), reader + ": a blank user error");
            outcome = "user error";
        } catch (AssertionFailedError e) {
            throw e;
        } catch (OutOfMemoryError e) {
            throw new AssertionFailedError(reader + ": allocation sized by a corrupt field (" + e.getMessage() + ") on " + input, e);
        } catch (Throwable e) {
            throw new AssertionFailedError(reader + ": " + e.getClass().getName() + " instead of a user error on " + input, e);
        }
        Map<String, AtomicLong> counts = OUTCOMES.computeIfAbsent(reader, k -> new ConcurrentHashMap<>());
        counts.computeIfAbsent(outcome, k -> new AtomicLong()).incrementAndGet();
        counts.computeIfAbsent("nanos", k -> new AtomicLong()).addAndGet(System.nanoTime() - t0);
    }

    /** Reader → {valid, user error} counts, sorted, for the report. */
    static String summary() {
        StringBuilder s = new StringBuilder("fuzz outcomes (reader: inputs, valid, user errors, seconds reading)\n");
        new TreeMap<>(OUTCOMES).forEach((r, m) -> {
            long v = m.getOrDefault("valid", new AtomicLong()).get(), u = m.getOrDefault("user error", new AtomicLong()).get();
            double sec = m.getOrDefault("nanos", new AtomicLong()).get() / 1e9;
            s.append(String.format(java.util.Locale.ROOT, "  %-22s %6d %6d %6d %6.1f%n", r, v + u, v, u, sec));
        });
        return s.toString();
    }
}
