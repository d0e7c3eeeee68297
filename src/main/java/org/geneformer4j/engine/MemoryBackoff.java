package org.geneformer4j.engine;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.geneformer4j.util.ErrorMessages;
import org.geneformer4j.util.UserException;

/**
 * Runs a batch, and when the device runs out of memory runs its two halves instead, recursively, so that a job
 * whose batch plan was too generous for the card slows down instead of failing after hours. PyTorch's caching
 * allocator has already freed its cached blocks and retried before it reports the error, so what the halves reuse
 * is all that is left to gain.
 */
public final class MemoryBackoff {
    private static volatile long simulatedLimit = Long.MAX_VALUE;

    private MemoryBackoff() {}

    /**
     * Fault injection for tests: from now on a batch of more than {@code tokens} tokens (padded, or real when packed)
     * fails where {@link #check} is called, as a device out of memory would, so that the back-off can be exercised
     * without a GPU. {@code Long.MAX_VALUE} ends it.
     */
    public static void simulateLimit(long tokens) {
        simulatedLimit = tokens;
    }

    /** Where a batch of {@code tokens} tokens is about to run: fails past a simulated limit, else nothing. */
    public static void check(long tokens) {
        if (tokens > simulatedLimit) {
            throw new RuntimeException("CUDA out of memory (simulated: " + tokens + " tokens over the test's limit of "
                    + simulatedLimit + ")");
        }
    }

    /** Out-of-memory errors as LibTorch reports them (CUDA's and the CPU allocator's). */
    public static boolean isOutOfMemory(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && (m.contains("out of memory") || m.contains("OutOfMemoryError") || m.contains("DefaultCPUAllocator: can't allocate"))) {
                return true;
            }
        }
        return false;
    }

    /** {@code run} on {@code batch}, or on halves of it where it fails for memory; results in the batch's order. */
    public static <C, R> List<R> run(List<C> batch, Function<List<C>, List<R>> run) {
        return run(batch, run, n -> { });
    }

    /**
     * As {@link #run(List, Function)}, telling {@code halved} of each split.
     *
     * @param halved told the size of each batch that had to be split (for a log line)
     */
    public static <C, R> List<R> run(List<C> batch, Function<List<C>, List<R>> run, Consumer<Integer> halved) {
        try {
            return run.apply(batch);
        } catch (RuntimeException e) {
            if (!isOutOfMemory(e)) {
                throw e;
            }
            if (batch.size() == 1) {
                throw new UserException("out of device memory on a single cell; use --dtype bf16, a smaller --max-tokens "
                        + "or a card with more memory (" + ErrorMessages.firstLine(e) + ")", e);
            }
            halved.accept(batch.size());
            int mid = batch.size() / 2;
            List<R> out = new ArrayList<>(run(batch.subList(0, mid), run, halved));
            out.addAll(run(batch.subList(mid, batch.size()), run, halved));
            return out;
        }
    }
}
