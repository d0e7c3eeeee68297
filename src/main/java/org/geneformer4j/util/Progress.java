package org.geneformer4j.util;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of long work. On a terminal: one line redrawn in place with rate and ETA. Otherwise (batch jobs, logs):
 * a plain line at most every {@code logEverySeconds}, so Slurm logs stay readable. A second count may ride along
 * (training: tokens beside steps), shown as its rate. Work done before this process (a resumed run) counts towards
 * the total but not the rate, so the ETA of a resumed run is not the rate of a run that did its first half at once.
 */
public final class Progress {
    private final PrintStream out;
    private final String unit;
    private final boolean terminal;
    private final long logEveryNanos;
    private final LongSupplier clock;
    private final long start;
    private long total;
    private long done;
    private long doneBefore;
    private String alsoUnit;
    private long also;
    private long lastPrint;
    private String label;

    public Progress(PrintStream out, String label, String unit, long total, boolean terminal, double logEverySeconds) {
        this(out, label, unit, total, terminal, logEverySeconds, System::nanoTime);
    }

    Progress(PrintStream out, String label, String unit, long total, boolean terminal, double logEverySeconds, LongSupplier clock) {
        this.out = out;
        this.label = label;
        this.unit = unit;
        this.total = total;
        this.terminal = terminal;
        this.logEveryNanos = (long) (logEverySeconds * 1e9);
        this.clock = clock;
        this.start = clock.getAsLong();
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

    /** Also counts {@code unit} (passed to {@link #advance(long, long)}) and shows its rate. */
    public synchronized Progress also(String unit) {
        this.alsoUnit = unit;
        return this;
    }

    /** Sets the work done to {@code n}, done earlier (a resumed run, a partial download): part of the total, not of the rate. */
    public synchronized void resumedAt(long n) {
        done = n;
        doneBefore = n;
    }

    public synchronized void advance(long n) {
        advance(n, 0);
    }

    public synchronized void advance(long n, long alsoN) {
        done += n;
        also += alsoN;
        long now = clock.getAsLong();
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
            print(clock.getAsLong(), true);
        }
    }

    public double seconds() {
        return (clock.getAsLong() - start) / 1e9;
    }

    private void print(long now, boolean last) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double rate = (done - doneBefore) / secs;
        StringBuilder sb = new StringBuilder();
        sb.append(label).append(": ").append(done);
        if (total > 0) {
            sb.append('/').append(total).append(String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total));
        }
        sb.append(' ').append(unit).append(String.format(Locale.ROOT, ", %s %s/s", rate(rate), unit));
        if (alsoUnit != null) {
            sb.append(String.format(Locale.ROOT, ", %s %s/s", rate(also / secs), alsoUnit));
        }
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

    /** Whole numbers with grouping from 10 up; below that one decimal (a few training steps a second). */
    private static String rate(double r) {
        return r >= 10 ? String.format(Locale.ROOT, "%,.0f", r) : String.format(Locale.ROOT, "%.1f", r);
    }
}
