package org.geneformer4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.OutputLock;
import org.geneformer4j.util.UserException;

/**
 * The resumable checkpoints of a run, {@code DIR/checkpoint-STEP/} as transformers names them: the model as
 * transformers saves it ({@code config.json}, {@code model.safetensors}), the optimizer's moments
 * ({@code optimizer.safetensors}) and {@link TrainerState} ({@code trainer_state.json}: step, place in the epoch's
 * order, best evaluation; the other random streams are functions of the step). Each is written in a staging
 * directory unique to the process and published by one rename, so it exists whole or not at all; only then are
 * checkpoints beyond the newest {@code keep} removed (each by one rename first). A run resumes from the newest.
 */
public final class TrainingCheckpoint {
    static final String PREFIX = "checkpoint-";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final Pattern NAME = Pattern.compile(Pattern.quote(PREFIX) + "(\\d{1,18})");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingCheckpoint() {}

    /** Writes {@code checkpoint-STEP/}, then removes all but the newest {@code keep} (0: keeps all). */
    static void save(Path runDir, BertModel model, AdamW optimizer, TrainerState state, int keep) {
        try (AtomicDirectory out = AtomicDirectory.create(runDir.resolve(PREFIX + state.globalStep()), true)) {
            model.save(out.staging());
            SafeTensors.write(out.staging().resolve(OPTIMIZER), optimizer.state(), Map.of("format", "pt"));
            JSON.writeValue(out.staging().resolve(STATE).toFile(), state);
            out.commit();
            if (keep > 0) {
                List<Path> all = all(runDir);
                for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
                    AtomicDirectory.remove(old);
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot write the checkpoint in " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** The checkpoints in {@code runDir}, oldest first. */
    static List<Path> all(Path runDir) throws IOException {
        List<Path> out = new ArrayList<>();
        if (!Files.isDirectory(runDir)) {
            return out;
        }
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(runDir, PREFIX + "*")) {
            for (Path p : ds) {
                if (NAME.matcher(p.getFileName().toString()).matches() && Files.isDirectory(p)) {
                    out.add(p);
                }
            }
        }
        out.sort(Comparator.comparingLong(TrainingCheckpoint::step));
        return out;
    }

    private static long step(Path checkpoint) {
        Matcher m = NAME.matcher(checkpoint.getFileName().toString());
        return m.matches() ? Long.parseLong(m.group(1)) : -1;
    }

    /** The newest checkpoint, if any. */
    public static Optional<Path> find(Path runDir) {
        try {
            List<Path> all = all(runDir);
            return all.isEmpty() ? Optional.empty() : Optional.of(all.get(all.size() - 1));
        } catch (IOException e) {
            throw new UserException("cannot list " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** What killed writers left: staging directories and locks of checkpoints that will not be written again. */
    static void removeLeftovers(Path runDir) {
        try {
            OutputLock.removeDeadLeftovers(runDir, PREFIX);
        } catch (IOException e) {
            throw new UserException("cannot clean " + runDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Every checkpoint, as far as possible: once a run is complete its result is kept elsewhere, checkpoints are the
     * largest files, and one left over is harmless.
     */
    public static void removeAll(Path runDir) {
        try {
            for (Path p : all(runDir)) {
                AtomicDirectory.remove(p);
            }
        } catch (IOException ignored) {
            // a leftover checkpoint is harmless
        }
    }

    /**
     * The state to start from: the newest checkpoint in {@code runDir} (its weights and optimizer moments restored)
     * when there is one of a run with these settings ({@code key}), else nothing; one of other settings is refused.
     */
    static Optional<TrainerState> resume(Path runDir, String key, BertModel model, AdamW optimizer) {
        Optional<Path> ckpt = find(runDir);
        if (ckpt.isEmpty()) {
            return Optional.empty();
        }
        TrainerState state = state(ckpt.get());
        if (!key.equals(state.settings())) {
            throw new UserException(runDir + " holds a checkpoint of a run with other settings or data; "
                    + "use another output directory or --overwrite");
        }
        restore(ckpt.get(), model, optimizer, state);
        return Optional.of(state);
    }

    static TrainerState state(Path checkpoint) {
        try {
            return JSON.readValue(checkpoint.resolve(STATE).toFile(), TrainerState.class);
        } catch (IOException e) {
            throw new UserException("cannot read " + checkpoint.resolve(STATE) + ": " + e.getMessage(), e);
        }
    }

    static void restore(Path checkpoint, BertModel model, AdamW optimizer, TrainerState state) {
        model.loadParameters(Checkpoint.load(checkpoint).tensors());
        Map<String, HostTensor> opt = SafeTensors.read(checkpoint.resolve(OPTIMIZER));
        optimizer.load(opt, state.globalStep());
    }
}
