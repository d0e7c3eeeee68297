package org.geneformer4j.hub;

import org.geneformer4j.hub.HubSettings;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Hugging Face Hub settings from the same environment variables {@code huggingface_hub} reads, so that a cache
 * filled by Python is found here and the other way round: HF_ENDPOINT, HF_TOKEN (or HF_HOME/token), HF_HUB_OFFLINE,
 * HF_HUB_CACHE, HF_HOME (default ~/.cache/huggingface, or $XDG_CACHE_HOME/huggingface).
 */
public record HubSettings(String endpoint, String token, boolean offline, Path cacheDir) {
    private static final Set<String> TRUE = Set.of("1", "on", "yes", "true");

    public static HubSettings fromEnvironment() {
        return from(System.getenv());
    }

    public static HubSettings from(Map<String, String> env) {
        String endpoint = env.getOrDefault("HF_ENDPOINT", "https://huggingface.co").replaceAll("/+$", "");
        Path home;
        if (env.containsKey("HF_HOME")) {
            home = Path.of(env.get("HF_HOME"));
        } else if (env.containsKey("XDG_CACHE_HOME")) {
            home = Path.of(env.get("XDG_CACHE_HOME"), "huggingface");
        } else {
            home = Path.of(System.getProperty("user.home"), ".cache", "huggingface");
        }
        Path cache = env.containsKey("HF_HUB_CACHE") ? Path.of(env.get("HF_HUB_CACHE")) : home.resolve("hub");
        String token = env.get("HF_TOKEN");
        if (token == null || token.isBlank()) {
            try {
                Path f = home.resolve("token");
                token = Files.isRegularFile(f) ? Files.readString(f).strip() : null;
            } catch (IOException e) {
                token = null;
            }
        }
        boolean offline = TRUE.contains(env.getOrDefault("HF_HUB_OFFLINE", "").toLowerCase(Locale.ROOT));
        return new HubSettings(endpoint, token == null || token.isBlank() ? null : token, offline, cache);
    }
}
