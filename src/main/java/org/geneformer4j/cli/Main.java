package org.geneformer4j.cli;

import java.io.PrintWriter;
import org.geneformer4j.tensor.LibTorch;
import org.geneformer4j.util.ErrorMessages;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.NoSpace;
import org.geneformer4j.util.UserException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code geneformer} command. Exit codes: 0 success, 1 runtime error (bad input, failed run), 2 usage error.
 * Errors are one line on stderr; {@code --verbose} adds the stack trace.
 */
@Command(name = "geneformer", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Geneformer single-cell foundation model: tokenize, inspect datasets, and more.",
        subcommands = {TokenizeCommand.class, EmbedCommand.class, FinetuneCommand.class, PretrainCommand.class, PredictCommand.class, TuneCommand.class, PerturbCommand.class, StatsCommand.class, PlotCommand.class, ModelsCommand.class, DatasetCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {
    static {
        LibTorch.init(); // JavaCPP's settings, before any of its classes loads
    }

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
            description = "Print more detail, and stack traces on errors.")
    static boolean verbose;

    /** The command line of this run, for {@code --nproc-per-node}, which starts it again as each rank. */
    static java.util.List<String> args = java.util.List.of();

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the CLI without exiting the JVM (tests call this). */
    public static int run(String... args) {
        verbose = false;
        Main.args = java.util.List.of(args);
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, cmd, parsed) -> {
            PrintWriter err = cmd.getErr();
            if (ex instanceof UserException) {
                err.println("error: " + ex.getMessage());
            } else if (NoSpace.isNoSpace(ex)) {
                // a full disk met where no output named itself: the file, when the exception knows it
                String path = NoSpace.pathOf(ex);
                err.println("error: no space left on device" + (path == null ? "" : " (" + path + ")"));
            } else {
                OutOfMemoryError heap = heapFull(ex);
                err.println(heap != null ? heapLine(heap) : errorLine(ex, verbose));
            }
            if (verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        cl.setParameterExceptionHandler((ex, a) -> {
            PrintWriter err = ex.getCommandLine().getErr();
            err.println("error: " + ex.getMessage());
            err.println("(see '" + ex.getCommandLine().getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return 2;
        });
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            // picocli hands only Exceptions to the handler above; a full heap would end in a JVM stack trace
            System.err.println(heapLine(e));
            if (verbose) {
                e.printStackTrace();
            }
            return 1;
        }
    }

    /** The Java heap's error, where it caused {@code ex} (on a worker thread, say); else null. */
    static OutOfMemoryError heapFull(Throwable ex) {
        for (Throwable t = ex; t != null; t = t.getCause()) {
            if (t instanceof OutOfMemoryError oom) {
                return oom;
            }
        }
        return null;
    }

    static String heapLine(OutOfMemoryError e) {
        return "error: the Java heap is full (" + e.getMessage() + "); give it more with GENEFORMER_JAVA_OPTS=-Xmx<size>";
    }

    /** An unexpected error's line: LibTorch's messages carry its C++ backtrace after the first line, for --verbose. */
    static String errorLine(Throwable ex, boolean verbose) {
        return "error: " + (verbose && ex.getMessage() != null ? ex.getMessage() : ErrorMessages.firstLine(ex));
    }

    /** Lines on stderr; detail only with --verbose (read when a line is written, so a command may take it early). */
    static Log log() {
        // the other ranks of a data-parallel job print only their errors: rank 0 speaks for the job
        return org.geneformer4j.distributed.Cluster.fromEnvironment().isMain() ? Log.stderr(() -> verbose) : Log.silent();
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"geneformer4j " + (v == null ? "(development build)" : v),
                    "Java " + System.getProperty("java.version") + " on " + System.getProperty("os.name") + " " + System.getProperty("os.arch")};
        }
    }
}
