package org.geneformer4j.cli;

import java.nio.file.Files;
import org.geneformer4j.model.BertConfig;
import org.geneformer4j.model.RandomInit;
import org.geneformer4j.util.AtomicDirectory;
import org.geneformer4j.vocab.GeneVocabulary;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.geneformer4j.hub.HubSettings;
import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.hub.ModelResolver;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "models", mixinStandardHelpOptions = true,
        description = {"The model registry and the Hugging Face cache (HF_HOME, HF_HUB_CACHE, HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE).",
                "  list            every registered model, and whether it is cached",
                "  info NAME       the registry entry",
                "  download NAME   fetch into the HF cache (resumable, sha256-checked)",
                "  verify NAME     re-hash the cached files",
                "  path NAME       print the cached checkpoint directory",
                "  init DIR        write a new, randomly initialised model (pretraining from scratch, tests)"})
final class ModelsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ACTION", description = "list, info, download, verify or path")
    String action;

    @Parameters(index = "1", arity = "0..1", paramLabel = "NAME")
    String name;

    @Option(names = "--model-version", defaultValue = "V1", description = "init: V1 (gc30M, 2048 positions) or V2 (gc104M, 4096). Default: ${DEFAULT-VALUE}.")
    String modelVersion;

    @Option(names = "--layers", defaultValue = "6", description = "init: encoder layers. Default: ${DEFAULT-VALUE} (gf-6L-30M-i2048's shape).")
    int layers;

    @Option(names = "--hidden", defaultValue = "256", description = "init: hidden size. Default: ${DEFAULT-VALUE}.")
    int hidden;

    @Option(names = "--heads", defaultValue = "4", description = "init: attention heads. Default: ${DEFAULT-VALUE}.")
    int heads;

    @Option(names = "--intermediate", defaultValue = "512", description = "init: feed-forward size. Default: ${DEFAULT-VALUE}.")
    int intermediate;

    @Option(names = "--max-positions", description = "init: position embeddings (default: 2048 for V1, 4096 for V2).")
    Integer maxPositions;

    @Option(names = "--dropout", description = "init: hidden and attention dropout (default 0.02, as Geneformer's pretraining).")
    Double dropout;

    @Option(names = "--seed", defaultValue = "42", description = "init: seed of the weights. Default: ${DEFAULT-VALUE}.")
    long seed;

    @Override
    public Integer call() {
        ModelResolver r = ModelResolver.standard();
        switch (action.toLowerCase(Locale.ROOT)) {
            case "list" -> {
                System.out.printf(Locale.ROOT, "%-30s %-7s %-6s %-6s %10s  %s%n", "NAME", "VOCAB", "INPUT", "LAYERS", "SIZE", "CACHED");
                for (ModelCard c : r.registry().all()) {
                    System.out.printf(Locale.ROOT, "%-30s %-7s %-6d %-6d %8.1f MB  %s%n", c.name(), c.vocabulary(), c.inputSize(),
                            c.architecture().path("layers").asInt(), c.weightBytes() / 1e6, r.cachedDir(c).isPresent() ? "yes" : "no");
                }
            }
            case "info" -> {
                ModelCard c = r.registry().get(need());
                System.out.println("name:        " + c.name());
                System.out.println("aliases:     " + String.join(", ", c.aliases()));
                System.out.println("hub:         " + c.repo() + " / " + c.subfolder() + " @ " + c.revision());
                System.out.println("inputs:      " + c.vocabulary() + ", " + c.inputSize() + " tokens"
                        + (c.specialTokens().isEmpty() ? ", no special tokens" : ", " + String.join("/", c.specialTokens())));
                System.out.println("model:       " + c.architecture());
                for (ModelCard.FileEntry f : c.neededFiles()) {
                    System.out.println("file:        " + f.path() + (f.size() >= 0 ? "  " + f.size() + " bytes  sha256 " + f.sha256() : ""));
                }
                System.out.println("cached:      " + r.cachedDir(c).map(Path::toString).orElse("no"));
                System.out.println("note:        " + c.note());
            }
            case "download" -> {
                ModelCard c = r.registry().get(need());
                Optional<Path> have = r.cachedDir(c);
                Path dir = have.orElseGet(() -> r.download(c, Progress.forStderr("download", "bytes", 0)));
                Main.log().info((have.isPresent() ? "already cached: " : "downloaded: ") + dir);
                System.out.println(dir);
            }
            case "verify" -> {
                ModelCard c = r.registry().get(need());
                List<String> problems = r.verify(c);
                if (!problems.isEmpty()) {
                    throw new UserException(c.name() + " failed verification: " + String.join("; ", problems));
                }
                System.out.println(c.name() + ": all files match the registry's sizes and sha256");
            }
            case "path" -> {
                ModelCard c = r.registry().get(need());
                System.out.println(r.cachedDir(c).orElseThrow(() -> new UserException(c.name() + " is not in the cache at "
                        + HubSettings.fromEnvironment().cacheDir() + " ('geneformer models download " + c.name() + "')")));
            }
            case "init" -> {
                Path dir = Path.of(need());
                if (Files.exists(dir.resolve("config.json"))) {
                    throw new UserException(dir + " already holds a model");
                }
                if (!modelVersion.equalsIgnoreCase("V1") && !modelVersion.equalsIgnoreCase("V2")) {
                    throw new UserException("--model-version must be V1 or V2, not '" + modelVersion + "'");
                }
                boolean v2 = modelVersion.equalsIgnoreCase("V2");
                GeneVocabulary vocab = GeneVocabulary.builtin(v2 ? "gc104M" : "gc30M");
                BertConfig config = RandomInit.config(vocab.size(), hidden, layers, heads, intermediate,
                        maxPositions != null ? maxPositions : v2 ? 4096 : 2048);
                if (dropout != null) {
                    config = config.withDropout(dropout);
                }
                try (AtomicDirectory out = AtomicDirectory.create(dir, false)) {
                    RandomInit.save(config, seed, out.staging());
                    out.commit();
                } catch (java.io.IOException e) {
                    throw new UserException("cannot write " + dir + ": " + e.getMessage(), e);
                }
                Main.log().info(String.format(Locale.ROOT, "wrote a random %s model (%d layers, hidden %d, %d heads, vocabulary %d) to %s",
                        v2 ? "V2" : "V1", layers, hidden, heads, vocab.size(), dir));
            }
            default -> throw new UserException("unknown action '" + action + "' (list, info, download, verify, path, init)");
        }
        return 0;
    }

    private String need() {
        if (name == null) {
            throw new UserException("'models " + action + "' needs a model NAME");
        }
        return name;
    }
}
