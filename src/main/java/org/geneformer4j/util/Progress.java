package org.geneformer4j.util;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress of long work. On a terminal: one line redrawn in place with rate and ETA. Otherwise (batch jobs, logs):
 * a plain line at most every {@code logEverySeconds}, so Slurm logs stay readable.
 */
public final class Progress {
    private final PrintStream out;
    private final String unit;
    private final boolean terminal;
    private final long logEveryNanos;
    private final long start = System.nanoTime();
    private long total;
    private long done;
    private long lastPrint;
    private String label;

    public Progress(PrintStream out, String label, String unit, long total, boolean terminal, double logEverySeconds) {
        this.out = out;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.terminal = terminal;
        this.logEveryNanos = (long) (logEverySeconds * 1e9);
        this.lastPrint = start;
    }

    /** A progress reporter that prints nothing (library use, --quiet). */
    public static Progress silent() {
        return new Progress(null, "", "", 0, false, 0);
    }

    public static Progress forStderr(String label, String unit, long total) {
        return new Progress(System.err, label, unit, total, System.console() != null, 30);
    }

    public synchronized void setLabel(String label) {
        this.label = label;
    }

    public synchronized void setTotal(long total) {
        this.total = total;
    }

    public synchronized void advance(long n) {
        done += n;
        long now = System.nanoTime();
        if (out != null && now - lastPrint >= (terminal ? 200_000_000L : logEveryNanos)) {
            lastPrint = now;
            print(now, false);
        }
    }

    /** A line of its own between progress reports (a warning the run goes on after). */
    public synchronized void note(String line) {
        if (out != null) {
            out.print(terminal ? "\r" + line + "   \n" : line + "\n");
            out.flush();
        }
    }

    public synchronized long done() {
        return done;
    }

    public synchronized void finish() {
        if (out != null) {
            print(System.nanoTime(), true);
        }
    }

    public double seconds() {
        return (System.nanoTime() - start) / 1e9;
    }

    private void print(long now, boolean last) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = done / secs;
        StringBuilder sb = new StringBuilder();
        sb.append(label).append(": ").append(done);
        if (total > 0) {
            sb.append('/').append(total).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
        }
        sb.append(' ').append(unit).append(String.format(Locale.ROOT, ", %.0f %s/s", rate, unit));
        if (last) {
            sb.append(String.format(Locale.ROOT, ", %.1f s", secs));
        } else if (total > 0 && rate > 0) {
            sb.append(String.format(Locale.ROOT, ", ETA %.0f s", (total - done) / rate));
        }
        if (terminal) {
            out.print("\r" + sb + "   " + (last ? "\n" : ""));
        } else {
            out.println(sb);
        }
        out.flush();
    }
}
