package org.geneformer4j.tune;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.geneformer4j.util.UserException;

/**
 * The hyperparameters a study samples. The default is upstream's Classifier space (learning rate log-uniform
 * 1e-6..1e-3, weight decay 0..0.3, schedule linear/cosine/polynomial, warmup 100..2000 steps, seed 0..100, one
 * epoch, batch 12). A JSON file replaces any of them: {@code {"learning_rate": {"type": "loguniform", "low": 1e-5,
 * "high": 1e-3}, "lr_scheduler_type": ["linear", "cosine"], "num_train_epochs": 3}} (a list is a choice, a number
 * is fixed).
 */
public record SearchSpace(List<Param> params) {
    public static final List<String> NAMES = List.of("learning_rate", "weight_decay", "lr_scheduler_type", "warmup_steps",
            "seed", "num_train_epochs", "per_device_train_batch_size");

    public static SearchSpace upstream() {
        return new SearchSpace(List.of(
                new Param("learning_rate", Param.Kind.LOGUNIFORM, 1e-6, 1e-3, null),
                new Param("weight_decay", Param.Kind.UNIFORM, 0.0, 0.3, null),
                new Param("lr_scheduler_type", Param.Kind.CHOICE, 0, 0, List.of("linear", "cosine", "polynomial")),
                new Param("warmup_steps", Param.Kind.INT, 100, 2000, null),
                new Param("seed", Param.Kind.INT, 0, 100, null),
                new Param("num_train_epochs", Param.Kind.CHOICE, 0, 0, List.of(1)),
                new Param("per_device_train_batch_size", Param.Kind.CHOICE, 0, 0, List.of(12))));
    }

    /** Upstream's space with the entries of {@code file} replacing or adding dimensions. */
    public static SearchSpace read(Path file) {
        return read(file, upstream());
    }

    /** {@code defaults} with the entries of {@code file} replacing its dimensions (another study's space: multi-task). */
    public static SearchSpace read(Path file, SearchSpace defaults) {
        List<String> names = defaults.params().stream().map(Param::name).toList();
        JsonNode n;
        try {
            n = new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new UserException("cannot read search space " + file + ": " + e.getMessage().lines().findFirst().orElse(""));
        }
        if (!n.isObject()) {
            throw new UserException(file + ": a search space is a JSON object of parameter: range");
        }
        Map<String, Param> out = new java.util.LinkedHashMap<>();
        defaults.params().forEach(p -> out.put(p.name(), p));
        for (var it = n.fields(); it.hasNext(); ) {
            var e = it.next();
            String name = e.getKey();
            if (!names.contains(name)) {
                throw new UserException(file + ": unknown parameter '" + name + "' (" + String.join(", ", names) + ")");
            }
            out.put(name, param(file, name, e.getValue()));
        }
        return new SearchSpace(List.copyOf(out.values()));
    }

    private static Param param(Path file, String name, JsonNode v) {
        if (v.isArray()) {
            List<Object> c = new ArrayList<>();
            v.forEach(x -> c.add(x.isNumber() ? x.numberValue() : x.asText()));
            if (c.isEmpty()) {
                throw new UserException(file + ": " + name + " has an empty list of choices");
            }
            return new Param(name, Param.Kind.CHOICE, 0, 0, c);
        }
        if (v.isNumber() || v.isTextual()) {
            return new Param(name, Param.Kind.CHOICE, 0, 0, List.of(v.isNumber() ? v.numberValue() : v.asText()));
        }
        String type = v.path("type").asText("").toUpperCase(Locale.ROOT);
        double low = v.path("low").asDouble(Double.NaN), high = v.path("high").asDouble(Double.NaN);
        Param.Kind kind;
        try {
            kind = Param.Kind.valueOf(type);
        } catch (IllegalArgumentException e) {
            throw new UserException(file + ": " + name + " needs a type of loguniform, uniform or int");
        }
        if (!(low < high) || (kind == Param.Kind.LOGUNIFORM && !(low > 0))) {
            throw new UserException(file + ": " + name + " needs low < high" + (kind == Param.Kind.LOGUNIFORM ? " and low > 0" : ""));
        }
        return new Param(name, kind, low, high, null);
    }
}
