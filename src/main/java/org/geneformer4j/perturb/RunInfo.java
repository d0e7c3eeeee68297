package org.geneformer4j.perturb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.OutputLock;
import org.geneformer4j.util.UserException;

/**
 * What a perturbation directory holds ({@code run.json}): the settings that decide what its rows mean, which
 * {@code geneformer stats} reads instead of being told again, and which a resumed run must match, together with
 * what identifies the input and the model, so that a rerun with other data or weights is refused instead of
 * "resuming" into another run's rows. The cell range is left out so that several processes (one per GPU, or a
 * Slurm array) can fill one directory.
 *
 * @param genes  "all", or the Ensembl IDs perturbed as a group
 * @param anchor the anchor gene's Ensembl ID with combos 1, else null
 * @param states state_key, start_state, goal_state and alt_states, or null
 * @param input  the dataset the rows come from
 * @param modelSha256 sha256 of each of the model's files (weights and config.json), by file name
 * @param quantize the quantized weights the run used (int8, nf4), or null for full precision: part of what the rows
 *     mean, so a resume must use the same
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunInfo(String model, String vocabulary, String perturbType, int rankShift, List<String> genes, String anchor,
        int combos, String embMode, int embLayer, States states, List<String> filters, int maxCells, long seed, String format,
        Input input, Map<String, String> modelSha256, String quantize) {

    public static final String FILE = "run.json";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record States(String stateKey, String startState, String goalState, List<String> altStates) {}

    /**
     * The input as run.json records it. The path is for people; a dataset copied elsewhere is the same input, so
     * only the files' names and sizes, the row count and the fingerprint of every cell's tokens are compared.
     *
     * @param tokensSha256 sha256 over every row's token count and tokens, in dataset order
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record Input(String path, Map<String, Long> files, long rows, String tokensSha256) {
        /** The files of {@code dataset} (a directory or one file) with their sizes; rows and tokens come with {@link #withTokens}. */
        public static Input of(Path dataset) {
            Map<String, Long> files = new TreeMap<>();
            try (Stream<Path> s = Files.isDirectory(dataset) ? Files.walk(dataset) : Stream.of(dataset)) {
                // hidden files (locks, staging) and the cache files Python's datasets adds beside a dataset are not the data
                for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith(".")
                        && !f.getFileName().toString().startsWith("cache-"))::iterator) {
                    String name = Files.isDirectory(dataset) ? dataset.relativize(f).toString() : f.getFileName().toString();
                    files.put(name, Files.size(f));
                }
            } catch (IOException e) {
                throw new UserException("cannot list " + dataset + ": " + e.getMessage(), e);
            }
            return new Input(dataset.toAbsolutePath().normalize().toString(), files, -1, null);
        }

        public Input withTokens(long rows, String tokensSha256) {
            return new Input(path, files, rows, tokensSha256);
        }

        boolean sameData(Input o) {
            return o != null && Objects.equals(files, o.files) && rows == o.rows && Objects.equals(tokensSha256, o.tokensSha256);
        }
    }

    /** sha256 of the model's weights file and config.json, by file name. */
    public static Map<String, String> modelDigests(Path weights) {
        Map<String, String> m = new TreeMap<>();
        for (Path f : List.of(weights, weights.resolveSibling("config.json"))) {
            if (Files.isRegularFile(f)) {
                try {
                    m.put(f.getFileName().toString(), org.geneformer4j.hub.HubClient.sha256(f));
                } catch (IOException e) {
                    throw new UserException("cannot read " + f + ": " + e.getMessage(), e);
                }
            }
        }
        return m;
    }

    public RunInfo withInput(Input in) {
        return new RunInfo(model, vocabulary, perturbType, rankShift, genes, anchor, combos, embMode, embLayer, states, filters,
                maxCells, seed, format, in, modelSha256, quantize);
    }

    public boolean allGenes() {
        return genes == null || genes.isEmpty();
    }

    private static ObjectMapper json() {
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .setPropertyNamingStrategy(com.fasterxml.jackson.databind.PropertyNamingStrategies.SNAKE_CASE);
    }

    public static RunInfo read(Path dir) {
        Path f = dir.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new UserException(dir + " has no " + FILE + ": is it the output directory of geneformer perturb?");
        }
        try {
            return json().readValue(f.toFile(), RunInfo.class);
        } catch (IOException e) {
            throw new UserException(f + " is not a readable run description: " + e.getMessage());
        }
    }

    /**
     * Writes this description, or checks that the one already there (a run being resumed) is the same. Processes
     * of one array that start together wait for whichever writes it first, then check theirs against it.
     */
    public void writeOrCheck(Path dir) {
        Path f = dir.resolve(FILE);
        for (int attempt = 0; ; attempt++) {
            if (Files.exists(f)) {
                refuseMismatch(dir, read(dir));
                return;
            }
            try (AtomicFile a = AtomicFile.create(f, false)) {
                json().writeValue(a.stream(), this);
                a.commit();
                return;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (UserException e) {
                if (!(e instanceof OutputLock.Busy || Files.exists(f)) || attempt >= 100) {
                    throw e;
                }
                pause();
            }
        }
    }

    /** One line saying how the run in {@code dir} differs from this one, if it does. */
    private void refuseMismatch(Path dir, RunInfo there) {
        if (there.input == null || there.modelSha256 == null) {
            throw new UserException(dir + " holds a run that does not record its input and model (" + FILE
                    + " of an older version): use another output directory");
        }
        if (!there.input.sameData(input)) {
            throw new UserException(dir + " holds the results of another input (" + there.input.path() + ", " + there.input.rows()
                    + " rows; this is " + input.path() + ", " + input.rows() + " rows): use another output directory");
        }
        if (!there.modelSha256.equals(modelSha256)) {
            throw new UserException(dir + " holds the results of another model (its files' sha256 differ from " + model
                    + "'s): use another output directory");
        }
        if (!there.withInput(input).equals(this)) {
            throw new UserException(dir + " holds a run with other settings (" + FILE + "): use another output directory");
        }
    }

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for " + FILE);
        }
    }
}
