package org.geneformer4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * The metrics log: one JSON object per line ({@code metrics.jsonl}), training lines and evaluation lines, each with
 * its step. A resumed run first drops the lines after its checkpoint, so the log reads as one uninterrupted run.
 */
final class MetricsLog {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;

    MetricsLog(Path file) {
        this.file = file;
    }

    /** A log that keeps nothing: the other ranks of a data-parallel job, whose lines rank 0 writes. */
    static MetricsLog discard() {
        return new MetricsLog(null);
    }

    /** Keeps only the lines of steps up to {@code step} (all of them are dropped for a fresh run, step 0). */
    void truncateAfter(long step) {
        try {
            if (file == null || !Files.exists(file)) {
                return;
            }
            List<String> keep = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank() && JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= step && step > 0) {
                    keep.add(line);
                }
            }
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(tmp, keep, StandardCharsets.UTF_8);
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UserException("cannot rewrite " + file + ": " + e.getMessage(), e);
        }
    }

    void write(Map<String, ?> values) {
        if (file == null) {
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        values.forEach((k, v) -> o.set(k, JSON.valueToTree(v instanceof Double d && !Double.isFinite(d) ? null : v)));
        try {
            Files.writeString(file, o + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static List<ObjectNode> read(Path file) {
        List<ObjectNode> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add((ObjectNode) JSON.readTree(line));
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
