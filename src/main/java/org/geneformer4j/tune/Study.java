package org.geneformer4j.tune;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.bytedeco.pytorch.Device;
import org.geneformer4j.classify.ClassifierRun;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;
import org.geneformer4j.util.Workers;

/**
 * A hyperparameter study in a directory: {@code study.json} (what is searched), {@code trial-NNN/} per trial (its
 * {@code params.json} and the fine-tuning run), {@code trials.jsonl} (one line per finished trial), and at the end
 * {@code best_model/} and {@code report.csv}. Run again after a kill, it keeps the finished trials, resumes the
 * interrupted ones from their checkpoints with the same parameters, and samples the rest. With several devices,
 * one trial runs on each at a time.
 */
public final class Study {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Runs one trial's fine-tuning in {@code dir} on {@code device}. */
    public interface Objective {
        ClassifierRun.Outcome run(Map<String, Object> params, Path dir, Device device);
    }

    /** A finished trial. */
    public record Trial(int number, Map<String, Object> params, Map<String, Double> valid, Map<String, Double> test) {
        double objective(String metric) {
            return valid.getOrDefault(metric, Double.NaN);
        }
    }

    private final Path dir;
    private final SearchSpace space;
    private final Sampler sampler;
    private final int trials;
    private final String metric;
    private final boolean minimise;
    private final List<Trial> finished = new ArrayList<>();
    private final Set<Integer> running = new HashSet<>();

    public Study(Path dir, SearchSpace space, Sampler sampler, int trials, String metric) {
        this(dir, space, sampler, trials, metric, false);
    }

    /** @param minimise the objective is a loss (upstream's multi-task study minimises the validation loss) */
    public Study(Path dir, SearchSpace space, Sampler sampler, int trials, String metric, boolean minimise) {
        this.dir = dir;
        this.space = space;
        this.sampler = sampler;
        this.trials = trials;
        this.metric = metric;
        this.minimise = minimise;
    }

    /** The trial's objective turned so that larger is better, as the sampler and the ranking take it. */
    private double score(Trial t) {
        double v = t.objective(metric);
        return minimise ? -v : v;
    }

    /** Checks (or records) what the study searches, so a resume does not mix two studies. */
    public void open(String description) {
        Path f = dir.resolve("study.json");
        try {
            Files.createDirectories(dir);
            if (Files.exists(f)) {
                String before = JSON.readTree(f.toFile()).path("description").asText();
                if (!before.equals(description)) {
                    throw new UserException(dir + " holds another study (its study.json differs); use another directory or --overwrite");
                }
            } else {
                ObjectNode o = JSON.createObjectNode();
                o.put("description", description);
                AtomicFile.writeString(f, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n");
            }
            Path log = dir.resolve("trials.jsonl");
            if (Files.exists(log)) {
                for (String line : Files.readAllLines(log)) {
                    if (!line.isBlank()) {
                        finished.add(JSON.readValue(line, Trial.class));
                    }
                }
            }
        } catch (IOException e) {
            throw new UserException("cannot open the study in " + dir + ": " + e.getMessage(), e);
        }
    }

    public List<Trial> finished() {
        return List.copyOf(finished);
    }

    /** Runs the trials not yet finished, one worker per device; returns every finished trial by number. */
    public List<Trial> run(List<Device> devices, Objective objective, Consumer<String> info) {
        Workers pool = new Workers();
        List<Runnable> work = new ArrayList<>();
        for (Device d : devices) {
            work.add(() -> {
                for (Next n = pool.failed() ? null : next(); n != null; n = pool.failed() ? null : next()) {
                    ClassifierRun.Outcome o = objective.run(n.params, n.dir, d);
                    if (!o.finished()) {
                        return;
                    }
                    Trial done = new Trial(n.number, n.params, o.valid(), o.test());
                    record(done);
                    info.accept(String.format(Locale.ROOT, "trial %d: validation %s %.4f  %s", n.number, metric,
                            done.objective(metric), n.params));
                }
            });
        }
        pool.run(work, "trial");
        List<Trial> all = new ArrayList<>(finished);
        all.sort(Comparator.comparingInt(Trial::number));
        return all;
    }

    private record Next(int number, Map<String, Object> params, Path dir) {}

    /** The next trial to run: interrupted ones first (with their saved parameters), then new ones, sampled now. */
    private synchronized Next next() {
        Set<Integer> done = new HashSet<>();
        finished.forEach(t -> done.add(t.number()));
        for (int i = 1; i <= trials; i++) {
            if (done.contains(i) || running.contains(i)) {
                continue;
            }
            Path d = dir.resolve(String.format(Locale.ROOT, "trial-%03d", i));
            Path pf = d.resolve("params.json");
            Map<String, Object> params;
            try {
                if (Files.isRegularFile(pf)) {
                    params = JSON.readValue(pf.toFile(), new TypeReference<LinkedHashMap<String, Object>>() {});
                } else {
                    List<Sampler.Observation> history = finished.stream()
                            .map(t -> new Sampler.Observation(t.params(), score(t))).toList();
                    params = sampler.propose(space, i, history);
                    Files.createDirectories(d);
                    AtomicFile.writeString(pf, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(params) + "\n");
                }
            } catch (IOException e) {
                throw new UserException("cannot prepare " + d + ": " + e.getMessage(), e);
            }
            running.add(i);
            return new Next(i, params, d);
        }
        return null;
    }

    private synchronized void record(Trial t) {
        running.remove(t.number());
        finished.add(t);
        StringBuilder sb = new StringBuilder();
        try {
            for (Trial x : finished) {
                sb.append(JSON.writeValueAsString(x)).append('\n');
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        AtomicFile.writeString(dir.resolve("trials.jsonl"), sb.toString());
    }

    /** The best finished trial by the validation metric (ties: the earlier trial). */
    public Trial best() {
        return finished.stream().filter(t -> Double.isFinite(t.objective(metric)))
                .max(Comparator.comparingDouble(this::score).thenComparing(t -> -t.number()))
                .orElseThrow(() -> new UserException("no trial produced a validation " + metric + " (is there a validation set?)"));
    }

    /** Copies the best trial's model to {@code best_model/} and writes {@code report.csv}, best first. */
    public void finish() {
        Trial best = best();
        Path src = dir.resolve(String.format(Locale.ROOT, "trial-%03d", best.number())).resolve("model");
        try (AtomicDirectory out = AtomicDirectory.create(dir.resolve("best_model"), true)) {
            try (var files = Files.list(src)) {
                for (Path f : files.toList()) {
                    Files.copy(f, out.staging().resolve(f.getFileName()));
                }
            }
            out.commit();
        } catch (IOException e) {
            throw new UserException("cannot copy the best model: " + e.getMessage(), e);
        }
        List<Trial> sorted = new ArrayList<>(finished);
        sorted.sort(Comparator.comparingDouble((Trial t) -> -score(t)).thenComparingInt(Trial::number));
        StringBuilder sb = new StringBuilder("trial");
        space.params().forEach(p -> sb.append(',').append(p.name()));
        sb.append(",valid_").append(metric).append(",valid_accuracy,test_").append(metric).append(",test_accuracy\n");
        for (Trial t : sorted) {
            sb.append(t.number());
            space.params().forEach(p -> sb.append(',').append(t.params().get(p.name())));
            sb.append(String.format(Locale.ROOT, ",%.6f,%.6f,%.6f,%.6f%n", t.objective(metric), t.valid().getOrDefault("accuracy", Double.NaN),
                    t.test().getOrDefault(metric, Double.NaN), t.test().getOrDefault("accuracy", Double.NaN)));
        }
        AtomicFile.writeString(dir.resolve("report.csv"), sb.toString());
    }
}
