package org.geneformer4j.util;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Several workers (one per device) sharing a queue of work: each on its own thread, the last on the calling one.
 * The first failure stops the others at their next {@link #failed()} check and is rethrown as it was thrown.
 */
public final class Workers {
    private final AtomicReference<RuntimeException> failure = new AtomicReference<>();

    /** Whether a worker has failed: the others stop taking work. */
    public boolean failed() {
        return failure.get() != null;
    }

    public void run(List<Runnable> workers, String name) {
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < workers.size() - 1; i++) {
            Runnable w = workers.get(i);
            Thread t = new Thread(() -> guard(w), name + "-" + i);
            t.start();
            threads.add(t);
        }
        if (!workers.isEmpty()) {
            guard(workers.get(workers.size() - 1));
        }
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UserException("interrupted");
            }
        }
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void guard(Runnable w) {
        try {
            w.run();
        } catch (RuntimeException e) {
            failure.compareAndSet(null, e);
        }
    }
}
