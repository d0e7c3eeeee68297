package org.geneformer4j.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.geneformer4j.dataset.Column;
import org.geneformer4j.dataset.DatasetReader;
import org.geneformer4j.dataset.Datasets;
import org.geneformer4j.dataset.RowBatch;
import org.geneformer4j.dataset.RowExporter;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.OutputGuard;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "dataset", mixinStandardHelpOptions = true,
        description = "Inspect and export tokenized datasets (datasets directories, .arrow, .parquet).",
        subcommands = {DatasetCommand.Info.class, DatasetCommand.Head.class, DatasetCommand.Export.class})
final class DatasetCommand {

    @Command(name = "info", mixinStandardHelpOptions = true, description = "Columns, row count and length statistics.")
    static final class Info implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "DATASET")
        List<Path> paths;

        @Override
        public Integer call() {
            PrintStream out = System.out;
            try (DatasetReader r = Datasets.concat(paths)) {
                long rows = 0;
                int lengthCol = r.columnIndex("length");
                int idsCol = r.columnIndex("input_ids");
                long[] lengths = new long[1024];
                while (r.hasNext()) {
                    RowBatch b = r.next();
                    for (int i = 0; i < b.rows(); i++) {
                        if (rows == lengths.length) lengths = Arrays.copyOf(lengths, lengths.length * 2);
                        lengths[(int) rows++] = lengthCol >= 0 ? ((long[]) b.columns()[lengthCol])[i]
                                : idsCol >= 0 ? ((int[][]) b.columns()[idsCol])[i].length : 0;
                    }
                }
                out.println("dataset: " + String.join(", ", paths.stream().map(Path::toString).toList()));
                out.println("rows: " + rows);
                out.println("columns:");
                for (Column c : r.columns()) out.println("  " + c.name() + ": " + c.type().name().toLowerCase(Locale.ROOT));
                if (rows > 0 && (lengthCol >= 0 || idsCol >= 0)) {
                    long[] l = Arrays.copyOf(lengths, (int) rows);
                    Arrays.sort(l);
                    double mean = Arrays.stream(l).average().orElse(0);
                    out.printf(Locale.ROOT, "length: min %d, median %d, mean %.1f, max %d%n", l[0], l[l.length / 2], mean, l[l.length - 1]);
                }
            }
            return 0;
        }
    }

    @Command(name = "head", mixinStandardHelpOptions = true, description = "Print the first rows as JSON Lines.")
    static final class Head implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "DATASET")
        List<Path> paths;

        @Option(names = {"-n", "--rows"}, defaultValue = "5", description = "Rows to print. Default: ${DEFAULT-VALUE}.")
        int n;

        @Override
        public Integer call() throws Exception {
            try (DatasetReader r = Datasets.concat(paths);
                 RowExporter ex = new RowExporter(nonClosing(System.out), RowExporter.Format.JSONL, r.columns())) {
                int left = n;
                while (left > 0 && r.hasNext()) {
                    RowBatch b = r.next();
                    for (int i = 0; i < b.rows() && left > 0; i++, left--) ex.write(b, i);
                }
            }
            System.out.flush();
            return 0;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, description = "Write every row as JSON Lines or CSV.")
    static final class Export implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "DATASET")
        List<Path> paths;

        @Option(names = "--format", defaultValue = "jsonl", description = "jsonl or csv. Default: ${DEFAULT-VALUE}.")
        String format;

        @Option(names = {"-o", "--output"}, description = "Output file (default: standard output).")
        Path output;

        @Option(names = "--overwrite", description = "Replace the output file if it exists.")
        boolean overwrite;

        @Override
        public Integer call() throws Exception {
            RowExporter.Format f = switch (format.toLowerCase(Locale.ROOT)) {
                case "jsonl", "json" -> RowExporter.Format.JSONL;
                case "csv" -> RowExporter.Format.CSV;
                default -> throw new picocli.CommandLine.ParameterException(
                        new picocli.CommandLine(this), "--format must be jsonl or csv, not '" + format + "'");
            };
            try (DatasetReader r = Datasets.concat(paths)) {
                if (output == null) {
                    try (RowExporter ex = new RowExporter(nonClosing(System.out), f, r.columns())) {
                        copy(r, ex);
                    }
                    System.out.flush();
                    return 0;
                }
                OutputGuard.check(output, overwrite, OutputGuard.Kind.file(format.toLowerCase(Locale.ROOT).startsWith("json") ? "jsonl" : "csv"), paths);
                try (AtomicFile file = AtomicFile.create(output, overwrite)) {
                    try (RowExporter ex = new RowExporter(file.stream(), f, r.columns())) {
                        copy(r, ex);
                    }
                    file.commit();
                }
            }
            return 0;
        }

        private static void copy(DatasetReader r, RowExporter ex) throws java.io.IOException {
            while (r.hasNext()) {
                RowBatch b = r.next();
                for (int i = 0; i < b.rows(); i++) ex.write(b, i);
            }
        }
    }

    private static OutputStream nonClosing(OutputStream out) {
        return new java.io.FilterOutputStream(out) {
            @Override
            public void write(byte[] b, int off, int len) throws java.io.IOException {
                out.write(b, off, len);
            }

            @Override
            public void close() throws java.io.IOException {
                flush();
            }
        };
    }
}
