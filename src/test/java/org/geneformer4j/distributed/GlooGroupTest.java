package org.geneformer4j.distributed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * c10d from the bytedeco LibTorch jar (CPU build): two ranks rendezvous over loopback and run Gloo collectives,
 * the flat-bucket gradient average and c10d's Reducer ({@link GlooWorker} checks the values), as two JVMs (TCPStore,
 * FileStore) and as two threads of this JVM; a peer that vanishes is a Java exception on the other rank.
 */
class GlooGroupTest {
    @TempDir
    Path tmp;

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** Starts one JVM per rank with the test classpath and waits for all; returns their logs. */
    List<String> ranks(String how, String where, int world, String scenario) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> ps = new ArrayList<>();
        List<Path> logs = new ArrayList<>();
        try {
            for (int r = 0; r < world; r++) {
                Path log = tmp.resolve(scenario + "-" + how + "-rank" + r + ".log");
                logs.add(log);
                ps.add(new ProcessBuilder(java, "-Xmx256m", "-cp", cp, GlooWorker.class.getName(), how, where,
                        Integer.toString(r), Integer.toString(world), scenario)
                        .redirectErrorStream(true).redirectOutput(log.toFile()).start());
            }
            List<String> out = new ArrayList<>();
            for (int r = 0; r < world; r++) {
                boolean done = ps.get(r).waitFor(180, TimeUnit.SECONDS);
                String text = Files.readString(logs.get(r));
                assertTrue(done, "rank " + r + " still running after 180 s:\n" + text);
                assertEquals(0, ps.get(r).exitValue(), "rank " + r + " failed:\n" + text);
                out.add(text);
            }
            return out;
        } finally {
            for (Process p : ps) {
                if (p.isAlive()) {
                    p.destroyForcibly();
                }
            }
        }
    }

    static void assertCollectivesRan(List<String> logs) {
        for (String log : logs) {
            for (String step : List.of("OK allreduce sum = 3.0", "OK allreduce max = 2.0", "OK allreduce avg = 1.5",
                    "OK broadcast [0.0, 1.5, 3.0, 4.5, 6.0, 7.5]", "OK flat gradient average w1 = 1.5",
                    "OK flat gradient average w2 = 2.5", "OK parameter broadcast p1 = 10.0", "OK reducer step 2 a = 3.0",
                    "OK reducer step 2 c = 2.5", "OK closed")) {
                assertTrue(log.contains(step), "missing '" + step + "' in\n" + log);
            }
        }
    }

    @Test
    void twoJvmsOverATcpStore() throws Exception {
        assertCollectivesRan(ranks("tcp", Integer.toString(freePort()), 2, "collectives"));
    }

    @Test
    void twoJvmsOverAFileStore() throws Exception {
        assertCollectivesRan(ranks("file", tmp.resolve("store").toString(), 2, "collectives"));
    }

    @Test
    void aVanishedPeerIsAJavaExceptionNotACrash() throws Exception {
        List<String> logs = ranks("tcp", Integer.toString(freePort()), 2, "vanish");
        assertTrue(logs.get(0).contains("OK caught java.lang.RuntimeException"), logs.get(0));
    }

    @Test
    void twoRanksAsThreadsOfOneJvm() throws Exception {
        Path store = tmp.resolve("threads-store");
        ExecutorService ex = Executors.newFixedThreadPool(2);
        try {
            List<Future<?>> fs = new ArrayList<>();
            for (int r = 0; r < 2; r++) {
                int rank = r;
                fs.add(ex.submit(() -> {
                    try (GlooGroup g = GlooGroup.file(store, rank, 2, GlooWorker.TIMEOUT, "127.0.0.1")) {
                        GlooWorker.collectives(g);
                        g.barrier();
                    }
                    return null;
                }));
            }
            for (Future<?> f : fs) {
                f.get(120, TimeUnit.SECONDS);
            }
        } finally {
            ex.shutdownNow();
        }
    }
}
