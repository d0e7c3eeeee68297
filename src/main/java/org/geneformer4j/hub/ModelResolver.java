package org.geneformer4j.hub;

import org.geneformer4j.hub.HfCache;
import org.geneformer4j.hub.HubClient;
import org.geneformer4j.hub.HubSettings;
import org.geneformer4j.hub.ModelCard;
import org.geneformer4j.hub.ModelRegistry;
import org.geneformer4j.hub.ModelResolver;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * Turns a {@code --model} argument into a checkpoint directory: an existing directory is used as is; a registry
 * name is looked up in the Hugging Face cache and downloaded when missing.
 */
public final class ModelResolver {
    private final ModelRegistry registry;
    private final HubSettings settings;

    public ModelResolver(ModelRegistry registry, HubSettings settings) {
        this.registry = registry;
        this.settings = settings;
    }

    public static ModelResolver standard() {
        return new ModelResolver(ModelRegistry.builtin(), HubSettings.fromEnvironment());
    }

    public ModelRegistry registry() {
        return registry;
    }

    /** The registry entry, when {@code model} is a name rather than a directory. */
    public Optional<ModelCard> card(String model) {
        if (Files.isDirectory(Path.of(model))) {
            return Optional.empty();
        }
        return Optional.of(registry.get(model));
    }

    public Path resolve(String model, Progress progress) {
        Path p = Path.of(model);
        if (Files.isDirectory(p)) {
            return p;
        }
        if (!registry.contains(model) && (model.contains("/") || model.startsWith("."))) {
            throw new UserException("model directory " + model + " does not exist");
        }
        ModelCard card = registry.get(model);
        return cachedDir(card).orElseGet(() -> download(card, progress));
    }

    /** The snapshot directory of {@code card} when every needed file is already cached. */
    public Optional<Path> cachedDir(ModelCard card) {
        HfCache cache = HfCache.of(settings.cacheDir(), card.repo());
        for (ModelCard.FileEntry f : card.neededFiles()) {
            if (cache.file(card.revision(), card.repoPath(f.path())).isEmpty()) {
                return Optional.empty();
            }
        }
        return cache.commitOf(card.revision()).map(c -> cache.snapshot(c).resolve(card.subfolder()));
    }

    public Path download(ModelCard card, Progress progress) {
        HubClient client = new HubClient(settings);
        Path dir = null;
        for (ModelCard.FileEntry f : card.neededFiles()) {
            Path file = client.fetch(card.repo(), card.revision(), card.repoPath(f.path()), f.sha256(), progress);
            dir = file.getParent();
        }
        return dir;
    }

    /** Re-hashes the cached files of {@code card}; returns one line per problem (empty when all is well). */
    public List<String> verify(ModelCard card) {
        Path dir = cachedDir(card).orElseThrow(() -> new UserException(card.name() + " is not in the cache at "
                + settings.cacheDir() + " ('geneformer models download " + card.name() + "')"));
        List<String> problems = new ArrayList<>();
        for (ModelCard.FileEntry f : card.neededFiles()) {
            Path file = dir.resolve(f.path());
            try {
                if (f.size() >= 0 && Files.size(file) != f.size()) {
                    problems.add(f.path() + ": " + Files.size(file) + " bytes, expected " + f.size());
                } else if (f.verifiable() && !HubClient.sha256(file).equals(f.sha256())) {
                    problems.add(f.path() + ": sha256 differs from the registry's " + f.sha256());
                }
            } catch (IOException e) {
                problems.add(f.path() + ": " + e.getMessage());
            }
        }
        return problems;
    }
}
