package org.geneformer4j.train;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.UserException;

/**
 * The resumable checkpoint of a run, {@code DIR/checkpoint/}: the model as transformers saves it, the optimizer's
 * moments ({@code optimizer.safetensors}) and {@link TrainerState} ({@code trainer_state.json}). It is replaced
 * as a whole, so a kill at any moment leaves the previous checkpoint or the new one, never a mixture.
 */
final class TrainingCheckpoint {
    static final String DIR = "checkpoint";
    static final String OPTIMIZER = "optimizer.safetensors";
    static final String STATE = "trainer_state.json";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private TrainingCheckpoint() {}

    static void save(Path runDir, BertModel model, AdamW optimizer, TrainerState state) {
        try (AtomicDirectory out = AtomicDirectory.create(runDir.resolve(DIR), true)) {
            model.save(out.staging());
            SafeTensors.write(out.staging().resolve(OPTIMIZER), optimizer.state(), Map.of("format", "pt"));
            JSON.writeValue(out.staging().resolve(STATE).toFile(), state);
            out.commit();
        } catch (IOException e) {
            throw new UserException("cannot write the checkpoint in " + runDir + ": " + e.getMessage(), e);
        }
    }

    /** The saved state, if a checkpoint exists (including one whose replacement was killed halfway). */
    static Optional<Path> find(Path runDir) {
        for (String name : new String[] {DIR, "." + DIR + ".old"}) {
            Path d = runDir.resolve(name);
            if (Files.isRegularFile(d.resolve(STATE))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }

    /**
     * The state to start from: the checkpoint in {@code runDir} (its weights and optimizer moments restored) when
     * there is one of a run with these settings ({@code key}), else nothing; one of other settings is refused.
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
