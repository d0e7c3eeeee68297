package org.geneformer4j.perturb;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.OutputLock;
import org.geneformer4j.util.UserException;

/**
 * What a perturbation directory holds ({@code run.json}): the settings that decide what its rows mean, which
 * {@code geneformer stats} reads instead of being told again, and which a resumed run must match. The cell range
 * is left out so that several processes (one per GPU, or a Slurm array) can fill one directory.
 *
 * @param genes  "all", or the Ensembl IDs perturbed as a group
 * @param anchor the anchor gene's Ensembl ID with combos 1, else null
 * @param states state_key, start_state, goal_state and alt_states, or null
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RunInfo(String model, String vocabulary, String perturbType, int rankShift, List<String> genes, String anchor,
        int combos, String embMode, int embLayer, States states, List<String> filters, int maxCells, long seed, String format) {

    public static final String FILE = "run.json";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    public record States(String stateKey, String startState, String goalState, List<String> altStates) {}

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
                RunInfo there = read(dir);
                if (!there.equals(this)) {
                    throw new UserException(dir + " holds a run with other settings (" + FILE + "): use another output directory");
                }
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

    private static void pause() {
        try {
            Thread.sleep(50);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted while waiting for " + FILE);
        }
    }
}
