package org.geneformer4j.dataset;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.geneformer4j.util.UserException;

/**
 * Opens tokenized datasets: a {@code save_to_disk} directory (this program's output, upstream's, or a
 * Genecorpus shard), a single {@code .arrow} file, or a {@code .parquet} file.
 */
public final class Datasets {
    private Datasets() {
    }

    /** Whether {@code p} is a tokenized dataset (a datasets directory, or an Arrow/Parquet file) rather than raw counts. */
    public static boolean isDataset(Path p) {
        String name = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        if (java.nio.file.Files.isDirectory(p)) {
            return java.nio.file.Files.exists(p.resolve("state.json")) || java.nio.file.Files.exists(p.resolve("dataset_info.json"));
        }
        return name.endsWith(".arrow") || name.endsWith(".parquet");
    }

    /** {@link #open}, or one error line if {@code p} holds raw counts rather than tokens. */
    public static DatasetReader openTokenized(Path p) {
        if (!isDataset(p)) {
            throw new org.geneformer4j.util.UserException(p + " is not a tokenized dataset: run geneformer tokenize first");
        }
        return open(p);
    }

    public static DatasetReader open(Path path) {
        if (!Files.exists(path)) {
            throw new UserException(path + ": dataset not found");
        }
        String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
        if (Files.isDirectory(path)) {
            return new ArrowShards(dataFiles(path));
        }
        if (name.endsWith(".parquet")) {
            return ParquetTable.open(path);
        }
        if (name.endsWith(".arrow")) {
            return new ArrowShards(List.of(path));
        }
        throw new UserException(path + ": not a dataset (expected a datasets directory, .arrow or .parquet)");
    }

    /**
     * The {@code input_ids} of tokenized datasets by row, concatenated in the order given: every shard of a datasets
     * directory, {@code .arrow} and {@code .parquet} files. Only the lengths are read now; see {@link TokenRows}.
     */
    public static TokenRows tokenRows(List<Path> paths) {
        if (paths.isEmpty()) {
            throw new UserException("no dataset given");
        }
        List<TokenRows> parts = new ArrayList<>();
        try {
            for (Path p : paths) {
                if (!Files.exists(p)) {
                    throw new UserException(p + ": dataset not found");
                }
                if (!isDataset(p)) {
                    throw new UserException(p + " is not a tokenized dataset: run geneformer tokenize first");
                }
                if (Files.isDirectory(p)) {
                    dataFiles(p).forEach(f -> parts.add(ArrowTokens.open(f)));
                } else if (p.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".parquet")) {
                    parts.add(ParquetTokens.open(p));
                } else {
                    parts.add(ArrowTokens.open(p));
                }
            }
        } catch (RuntimeException e) {
            parts.forEach(TokenRows::close);
            throw e;
        }
        return parts.size() == 1 ? parts.get(0) : new ConcatTokens(parts);
    }

    /** Opens several datasets as one, concatenated in the order given; their columns must agree. */
    public static DatasetReader concat(List<Path> paths) {
        return ConcatReader.of(paths);
    }

    static List<Path> dataFiles(Path dir) {
        Path state = dir.resolve("state.json");
        if (Files.isRegularFile(state)) {
            try {
                JsonNode root = new ObjectMapper().readTree(state.toFile());
                List<Path> files = new ArrayList<>();
                for (JsonNode f : root.path("_data_files")) {
                    Path p = dir.resolve(f.path("filename").asText());
                    if (!Files.isRegularFile(p)) {
                        throw new UserException(dir + ": state.json lists " + p.getFileName() + ", which is missing");
                    }
                    files.add(p);
                }
                return files;
            } catch (IOException e) {
                throw new UserException(state + ": unreadable state.json: " + e.getMessage(), e);
            }
        }
        if (Files.isRegularFile(dir.resolve("dataset_dict.json"))) {
            throw new UserException(dir + ": a DatasetDict; pass one of its split directories (e.g. " + dir.resolve("train") + ")");
        }
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> arrows = s.filter(p -> p.toString().endsWith(".arrow")).sorted().toList();
            if (arrows.isEmpty()) {
                throw new UserException(dir + ": not a datasets directory (no state.json and no .arrow files)");
            }
            return arrows;
        } catch (IOException e) {
            throw new UserException(dir + ": " + e.getMessage(), e);
        }
    }
}
