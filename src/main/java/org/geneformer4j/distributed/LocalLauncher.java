package org.geneformer4j.distributed;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.UserException;

/**
 * {@code --nproc-per-node N}: starts N copies of this very command as the ranks of one job on this machine, with the
 * environment torchrun would give them (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR=127.0.0.1, a free MASTER_PORT),
 * waits for them, and stops them all when one fails, so a dead rank never leaves the others holding the machine.
 * Rank 0 writes the outputs and the log; the other ranks print only warnings and errors.
 *
 * <p>A failed job says one error line, the cause's: the first rank to exit with an error. The others' errors are
 * mostly its echo ("another rank stopped or does not answer") and would bury it, so the ranks' {@code error:} lines
 * are held back and only the cause's is printed, as the launcher's own.
 */
public final class LocalLauncher {
    /** How long the other ranks get to notice a failed one and stop on their own before they are killed. */
    static final long GRACE_SECONDS = 5;

    private static final String ERROR = "error: ";

    private LocalLauncher() {}

    /** Whether this process is already a rank of a job (so it must not launch another). */
    public static boolean insideJob() {
        return Cluster.fromEnvironment().distributed() || System.getenv("GENEFORMER_RANK_OF_LAUNCH") != null;
    }

    /** Runs {@code args} (the whole command line) as {@code nproc} ranks; returns the job's exit code. */
    public static int run(List<String> args, int nproc, Log log) {
        if (nproc < 1) {
            throw new UserException("--nproc-per-node must be at least 1");
        }
        int port = freePort();
        String java = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        cmd.add("-cp");
        // a test runner's class path is not java.class.path (surefire starts from a manifest jar): it may say which
        cmd.add(System.getProperty("geneformer.launch.classpath", System.getProperty("java.class.path")));
        cmd.add("org.geneformer4j.cli.Main");
        cmd.addAll(args);
        List<Process> ranks = new ArrayList<>();
        List<Thread> relays = new ArrayList<>();
        String[] errors = new String[nproc];
        Queue<Integer> exited = new ConcurrentLinkedQueue<>(); // ranks in the order they ended
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        try {
            for (int r = 0; r < nproc; r++) {
                ProcessBuilder pb = new ProcessBuilder(cmd);
                Map<String, String> env = pb.environment();
                env.put("RANK", Integer.toString(r));
                env.put("LOCAL_RANK", Integer.toString(r));
                env.put("WORLD_SIZE", Integer.toString(nproc));
                env.put("MASTER_ADDR", "127.0.0.1");
                env.put("MASTER_PORT", Integer.toString(port));
                env.put("GENEFORMER_RANK_OF_LAUNCH", Integer.toString(r));
                pb.redirectErrorStream(true);
                Process p = pb.start();
                int rank = r;
                recorded.add(p.onExit().thenRun(() -> exited.add(rank)));
                relays.add(relay(p, rank, errors));
                ranks.add(p);
            }
            // a launcher stopped by Ctrl-C or the batch system takes its ranks with it
            Thread reaper = new Thread(() -> ranks.forEach(Process::destroyForcibly), "stop-ranks");
            Runtime.getRuntime().addShutdownHook(reaper);
            log.info("launched " + nproc + " ranks on this machine (rendezvous 127.0.0.1:" + port + ")");
            boolean failed;
            try {
                failed = !await(ranks);
            } finally {
                for (Thread t : relays) {
                    t.join(5000); // the last lines of every rank are in before the job's own verdict
                }
                Runtime.getRuntime().removeShutdownHook(reaper);
            }
            if (failed) {
                // onExit's actions run asynchronously after the process is reaped: wait until every exit is recorded
                CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new)).join();
                throw new UserException(cause(ranks, exited, errors));
            }
            return 0;
        } catch (IOException e) {
            ranks.forEach(Process::destroyForcibly);
            throw new UserException("cannot start the ranks: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            ranks.forEach(Process::destroyForcibly);
            Thread.currentThread().interrupt();
            throw new UserException("interrupted; the ranks were stopped");
        }
    }

    /**
     * Copies a rank's output to this process's stderr, line by line, so that the job speaks through one stream; keeps
     * its first error line in {@code errors} instead.
     */
    private static Thread relay(Process p, int rank, String[] errors) {
        Thread t = new Thread(() -> {
            try (var in = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith(ERROR)) {
                        synchronized (errors) {
                            if (errors[rank] == null) {
                                errors[rank] = line.substring(ERROR.length());
                            }
                        }
                        continue;
                    }
                    System.err.println(line);
                }
            } catch (IOException ignored) {
                // the rank is gone; its exit code tells the rest
            }
        }, "rank-" + rank + "-output");
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Waits for every rank; when one fails, gives the others a grace period to stop, then stops them. */
    private static boolean await(List<Process> ranks) throws InterruptedException {
        while (true) {
            boolean allDone = true;
            for (Process p : ranks) {
                if (p.isAlive()) {
                    allDone = false;
                } else if (p.exitValue() != 0) {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(GRACE_SECONDS);
                    for (Process q : ranks) {
                        q.waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                        q.destroyForcibly();
                    }
                    for (Process q : ranks) {
                        q.waitFor();
                    }
                    return false;
                }
            }
            if (allDone) {
                return true;
            }
            Thread.sleep(100);
        }
    }

    /** The failed job's one line: the first rank to end with an error, in its own words where it had any. */
    static String cause(List<Process> ranks, Queue<Integer> exited, String[] errors) {
        for (int r : exited) {
            int code = ranks.get(r).exitValue();
            if (code == 0) {
                continue;
            }
            String own;
            synchronized (errors) {
                own = errors[r];
            }
            if (own != null) {
                return (own.startsWith("rank ") ? own : "rank " + r + " of " + ranks.size() + ": " + own) + "; the job was stopped";
            }
            String how = code > 128 ? "was killed by signal " + (code - 128) + ", without an error of its own (out of host"
                    + " memory, or stopped by the batch system?)" : "exited with code " + code;
            return "rank " + r + " of " + ranks.size() + " " + how + "; the job was stopped";
        }
        return "a rank failed; the job was stopped";
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UserException("no free port for the rendezvous: " + e.getMessage(), e);
        }
    }
}
