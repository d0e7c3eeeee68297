package org.geneformer4j.cli;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs the CLI in-process, or in a JVM of its own, and captures what it prints. */
record Cli(int exit, String out, String err) {
    static synchronized Cli run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Cli(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    /** The lines that start with "error:" (there must be exactly one for a failed run). */
    long errorLines() {
        return err.lines().filter(l -> l.startsWith("error:")).count();
    }

    /**
     * The command in a JVM of its own, as a user starts it, with {@code env} added (what it starts inherits it); its
     * stdout and stderr together in {@link #err}. For what depends on the environment: ranks, faults.
     */
    static Cli inChildJvm(Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"), "-Xmx512m",
                "--add-opens=java.base/java.nio=ALL-UNNAMED", "-cp",
                System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")), "org.geneformer4j.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Path log = Files.createTempFile("geneformer-cli", ".log");
        try {
            Process p = pb.redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(180, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly); // a launcher's ranks, which its kill would orphan
                p.destroyForcibly();
                throw new AssertionError("still running after 180 s: " + Files.readString(log));
            }
            return new Cli(p.exitValue(), "", Files.readString(log));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
