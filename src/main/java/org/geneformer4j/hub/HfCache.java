package org.geneformer4j.hub;

import org.geneformer4j.hub.HfCache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The Hugging Face cache layout of one repository, as {@code huggingface_hub} writes it:
 * {@code models--OWNER--NAME/blobs/<etag>} holds file contents, {@code snapshots/<commit>/<path>} links to blobs,
 * and {@code refs/<revision>} names the commit a branch or tag pointed at when it was downloaded.
 */
public record HfCache(Path repoDir) {
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}");

    public static HfCache of(Path cacheDir, String repo) {
        return new HfCache(cacheDir.resolve("models--" + repo.replace("/", "--")));
    }

    public static boolean isCommit(String revision) {
        return COMMIT.matcher(revision).matches();
    }

    public Path blobs() {
        return repoDir.resolve("blobs");
    }

    public Path blob(String etag) {
        return blobs().resolve(etag);
    }

    public Path snapshot(String commit) {
        return repoDir.resolve("snapshots").resolve(commit);
    }

    public Path ref(String revision) {
        return repoDir.resolve("refs").resolve(revision);
    }

    public Path lock(String etag) {
        return repoDir.getParent().resolve(".locks").resolve(repoDir.getFileName()).resolve(etag + ".lock");
    }

    /** The commit {@code revision} resolved to when last downloaded, if known. */
    public Optional<String> commitOf(String revision) {
        if (isCommit(revision)) {
            return Optional.of(revision);
        }
        try {
            Path r = ref(revision);
            return Files.isRegularFile(r) ? Optional.of(Files.readString(r).strip()) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The snapshot file of {@code path} at {@code revision}, if the ref (or commit) and the file are cached. */
    public Optional<Path> file(String revision, String path) {
        return commitOf(revision).map(c -> snapshot(c).resolve(path)).filter(Files::isRegularFile);
    }

    public void writeRef(String revision, String commit) throws IOException {
        if (revision.equals(commit)) {
            return;
        }
        Path r = ref(revision);
        Files.createDirectories(r.getParent());
        Path tmp = r.resolveSibling("." + r.getFileName() + ".tmp");
        Files.writeString(tmp, commit);
        Files.move(tmp, r, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    /** Links {@code snapshots/<commit>/<path>} to the blob with a relative symlink (a copy where links fail). */
    public Path link(String commit, String path, String etag) throws IOException {
        Path target = snapshot(commit).resolve(path);
        Files.createDirectories(target.getParent());
        Path relative = target.getParent().relativize(blob(etag));
        Files.deleteIfExists(target);
        try {
            Files.createSymbolicLink(target, relative);
        } catch (UnsupportedOperationException | IOException e) {
            Files.copy(blob(etag), target);
        }
        return target;
    }
}
