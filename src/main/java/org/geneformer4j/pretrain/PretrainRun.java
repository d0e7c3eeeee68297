package org.geneformer4j.pretrain;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;
import org.geneformer4j.distributed.DataParallel;
import org.geneformer4j.engine.ModelSession;
import org.geneformer4j.model.BertModel;
import org.geneformer4j.model.Head;
import org.geneformer4j.train.Curves;
import org.geneformer4j.train.TrainSettings;
import org.geneformer4j.train.Trainer;
import org.geneformer4j.train.TrainingCheckpoint;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.Closing;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.OutputGuard;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * One {@code geneformer pretrain}: masked gene modelling of a model (new from {@code models init}, or pretrained:
 * continual pretraining) on tokenized cells, as upstream's {@code GeneformerPretrainer}, on the trainer every
 * fine-tuning shares (AdamW without decay on biases and LayerNorm, warmup and schedule, clipping, accumulation,
 * length-grouped batches, resumable checkpoints, data parallelism). The output holds {@code model/} (a
 * {@code BertForMaskedLM} transformers loads), {@code metrics.jsonl}, {@code metrics.json} and
 * {@code training_curves.png}.
 *
 * @param validFraction share of the cells held out for validation when no {@code validInput} is given
 * @param backend the c10d backend of a data-parallel job ({@code --ddp-backend})
 * @param packed each batch's cells packed end to end without padding
 */
public record PretrainRun(List<Path> inputs, Path validInput, double validFraction, Path output, boolean overwrite,
        TrainSettings settings, double mlmProbability, int evalBatch, long stopAfterSteps, Duration timeout,
        org.geneformer4j.distributed.DistBackend backend, boolean packed) {

    static final OutputGuard.Kind RUN = OutputGuard.Kind.directoryWith("pretraining run (metrics.jsonl, checkpoint-STEP/ or model/)",
            "metrics.jsonl", "checkpoint-*", "metrics.json");
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    public void run(Supplier<ModelSession> open, Log log) {
        if (!(validFraction >= 0 && validFraction < 1)) {
            throw new UserException("--valid-fraction must be in [0, 1), not " + validFraction);
        }
        if (!(mlmProbability > 0 && mlmProbability < 1)) {
            throw new UserException("--mlm-probability must be in (0, 1), not " + mlmProbability);
        }
        Throwable failure = null;
        ModelSession session = open.get();
        try {
            Trainer.requirePrecision(session.dtype());
            DataParallel parallel = session.parallel(timeout, backend);
            if (parallel.isMain()) {
                prepare();
            }
            parallel.barrier();
            MlmMasking masking = MlmMasking.upstream(session.vocab()).withProbability(mlmProbability);
            // fp32 weights whatever --dtype: bf16 is mixed precision (Trainer.autocast), the weights stay the master copy
            try (Corpus corpus = Corpus.open(inputs, validInput, validFraction, settings.seed(), session.tokenCheck(),
                    masking.vocabSize(), parallel);
                    BertModel model = load(session, parallel.isMain(), log)) {
                Cells train = corpus.train;
                long tokens = Arrays.stream(corpus.tokenCounts).sum();
                log.info(String.format(Locale.ROOT, "pretrain %s: %,d training cells (%,d tokens), %,d validation cells; %d rank(s) (collectives: %s)%s%s",
                        session.name(), train.size(), tokens, corpus.valid.size(), parallel.worldSize(), parallel.backendName(), packed ? ", packed batches" : "",
                        session.dtype().value == org.bytedeco.pytorch.global.torch.ScalarType.Float.value ? "" : ", bf16 mixed precision"));
                PretrainTask task = new PretrainTask(train, corpus.valid, masking, settings.seed(), evalBatch, corpus.tokenCounts, packed);
                String identity = session.name() + " | " + inputs + " | " + train.size() + "/" + corpus.valid.size() + " | mlm " + mlmProbability;
                Progress progress = parallel.isMain() ? Progress.forStderr("pretrain", "steps", 0) : Progress.silent();
                Trainer.Result r = new Trainer(settings, output, 0, identity, progress).stopAfterSteps(stopAfterSteps)
                        .parallel(parallel).autocast(session.dtype()).train(model, task);
                if (r.resumedFrom()) {
                    log.info("resumed " + output + " from its checkpoint");
                }
                if (packed) {
                    log.detail("pretrain: packed attention " + org.geneformer4j.model.PackedAttention.describe());
                }
                if (!r.finished()) {
                    log.info("stopped after step " + r.steps() + " of " + r.totalSteps() + "; run again to resume");
                    return;
                }
                if (parallel.isMain()) {
                    try (org.geneformer4j.tensor.Autocast a = org.geneformer4j.tensor.Autocast.to(session.device(), session.dtype())) {
                        finish(model, task, r, log); // evaluated as during training
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
            throw t;
        } finally {
            Closing.close(session::close, failure);
        }
    }

    private BertModel load(ModelSession session, boolean main, Log log) {
        BertModel.Loaded loaded = BertModel.load(session.checkpoint(), Head.MLM, List.of(), session.device(),
                org.bytedeco.pytorch.global.torch.ScalarType.Float, settings.seed());
        // a resumed run starts from its checkpoint, which the trainer restores and reports
        if (main && TrainingCheckpoint.find(output).isEmpty()) {
            log.info(startingPoint(session.name(), loaded.initialised()));
        }
        return loaded.model();
    }

    /**
     * What the run starts from, said once: continual pretraining keeps a pretrained model's masked-gene head, and a
     * checkpoint without one (a classifier's) gets a new head, as transformers' {@code from_pretrained} gives it, which
     * its first steps spend re-learning. A model from {@code models init} has a random head of its own.
     */
    static String startingPoint(String model, List<String> initialised) {
        if (initialised.isEmpty()) {
            return "pretrain " + model + ": from its weights, masked-gene head included; a new optimizer and schedule";
        }
        return "warning: " + model + " has no masked-gene head (" + initialised.get(0)
                + (initialised.size() > 1 ? " and " + (initialised.size() - 1) + " more" : "")
                + "): it starts from a new random one, as transformers' BertForMaskedLM.from_pretrained would";
    }

    /** A fresh output, or the one of an interrupted run to resume; a finished one only with --overwrite. */
    private void prepare() {
        try {
            if (overwrite) {
                OutputGuard.check(output, true, RUN, OutputGuard.paths(inputs, validInput));
                AtomicDirectory.deleteRecursively(output);
            } else if (Files.isRegularFile(output.resolve("metrics.json"))) {
                throw new UserException(output + " already holds a finished pretraining run (pass --overwrite to replace it)");
            }
            Files.createDirectories(output);
        } catch (IOException e) {
            throw new UserException("cannot create " + output + ": " + e.getMessage(), e);
        }
    }

    private void finish(BertModel model, PretrainTask task, Trainer.Result r, Log log) {
        try (AtomicDirectory out = AtomicDirectory.create(output.resolve("model"), true)) {
            model.save(out.staging());
            out.commit();
            Map<String, Double> last = task.evaluate(model);
            ObjectNode o = JSON.createObjectNode();
            o.put("steps", r.steps());
            o.putPOJO("valid", last);
            AtomicFile.writeString(output.resolve("metrics.json"), JSON.writeValueAsString(o) + "\n");
            Path picture = output.resolve("training_curves.png");
            Curves.drawBeside(() -> Curves.plot(output.resolve("metrics.jsonl"), picture, "pretraining"), picture, log::info);
            TrainingCheckpoint.removeAll(output); // the run is complete; model/ is what is kept
            if (!last.isEmpty()) {
                log.info(String.format(Locale.ROOT, "finished %s: validation MLM loss %.4f (unigram baseline %.4f), masked-token accuracy %.4f, perplexity %.1f",
                        output, last.get("loss"), last.get("unigram_loss"), last.get("accuracy"), last.get("perplexity")));
            } else {
                log.info("finished " + output);
            }
        } catch (IOException e) {
            throw new UserException("cannot write in " + output + ": " + e.getMessage(), e);
        }
    }
}
