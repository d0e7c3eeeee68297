package org.geneformer4j.hub;

import org.geneformer4j.checkpoint.Checkpoint;
import org.geneformer4j.hub.ModelCard;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/** One entry of the registry (models/NAME.json): where a model lives on the Hub and what it expects as input. */
public record ModelCard(String name, List<String> aliases, String repo, String subfolder, String revision,
        String vocabulary, int inputSize, List<String> specialTokens, JsonNode architecture, List<FileEntry> files,
        String note) {

    /** A file of the model, with its size and sha256 when known (LFS files; small git files have neither). */
    public record FileEntry(String path, long size, String sha256) {
        public boolean verifiable() {
            return sha256 != null;
        }
    }

    static ModelCard of(JsonNode n) {
        List<FileEntry> files = new ArrayList<>();
        for (JsonNode f : n.path("files")) {
            files.add(new FileEntry(f.path("path").asText(), f.path("size").asLong(-1),
                    f.hasNonNull("sha256") ? f.get("sha256").asText() : null));
        }
        List<String> aliases = new ArrayList<>();
        n.path("aliases").forEach(a -> aliases.add(a.asText()));
        List<String> special = new ArrayList<>();
        n.path("special_tokens").forEach(a -> special.add(a.asText()));
        return new ModelCard(n.path("name").asText(), List.copyOf(aliases), n.path("repo").asText(),
                n.path("subfolder").asText(""), n.path("revision").asText("main"), n.path("vocabulary").asText(),
                n.path("input_size").asInt(), List.copyOf(special), n.path("architecture"), List.copyOf(files),
                n.path("note").asText(""));
    }

    /** The files a model run needs: config.json and one weights file (safetensors preferred). */
    public List<FileEntry> neededFiles() {
        List<FileEntry> out = new ArrayList<>();
        FileEntry weights = null;
        for (FileEntry f : files) {
            if (f.path().equals("config.json")) {
                out.add(f);
            } else if (f.path().equals(Checkpoint.SAFETENSORS)
                    || (weights == null && f.path().equals(Checkpoint.PYTORCH_BIN))) {
                weights = f;
            }
        }
        if (weights != null) {
            out.add(weights);
        }
        return out;
    }

    /** Path of {@code file} inside the repository. */
    public String repoPath(String file) {
        return subfolder.isEmpty() ? file : subfolder + "/" + file;
    }

    public long weightBytes() {
        return neededFiles().stream().mapToLong(f -> Math.max(0, f.size())).sum();
    }
}
