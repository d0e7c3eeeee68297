package org.geneformer4j.hub;

import org.geneformer4j.hub.HfCache;
import org.geneformer4j.hub.HubClient;
import org.geneformer4j.hub.HubSettings;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import org.geneformer4j.util.Progress;
import org.geneformer4j.util.UserException;

/**
 * Downloads model files from the Hugging Face Hub into the shared HF cache, the way {@code huggingface_hub} does:
 * a HEAD on {@code /REPO/resolve/REVISION/PATH} gives the commit and the file's etag (its sha256 for LFS files),
 * the body goes to {@code blobs/<etag>.incomplete}, resumed with a Range request after a broken connection or an
 * interrupted run, checked against the registry's sha256, renamed into place and linked from the snapshot.
 * A file is never visible under its final name until it is complete and verified.
 */
public final class HubClient {
    private static final int MAX_ATTEMPTS = 5;
    private static final int MAX_REDIRECTS = 5;

    private final HubSettings settings;
    private final HttpClient http;

    public HubClient(HubSettings settings) {
        this.settings = settings;
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** What a HEAD request told us about a file. */
    record Remote(String commit, String etag, long size, URI location) {}

    /**
     * Makes {@code path} of {@code repo}@{@code revision} present in the cache and returns its snapshot path.
     *
     * @param sha256 expected digest (null when the registry has none: small non-LFS files)
     */
    public Path fetch(String repo, String revision, String path, String sha256, Progress progress) {
        HfCache cache = HfCache.of(settings.cacheDir(), repo);
        Optional<Path> cached = cache.file(revision, path);
        if (settings.offline()) {
            return cached.orElseThrow(() -> new UserException("HF_HUB_OFFLINE is set and " + repo + "/" + path + "@"
                    + revision + " is not in the cache at " + settings.cacheDir()));
        }
        if (cached.isPresent() && HfCache.isCommit(revision)) {
            return cached.get(); // a commit's files never change
        }
        Remote remote = head(repo, revision, path);
        try {
            Path snapshotFile = cache.snapshot(remote.commit()).resolve(path);
            Path blob = cache.blob(remote.etag());
            if (!Files.isRegularFile(blob)) {
                download(cache, remote, sha256, repo + "/" + path, progress);
            }
            if (!Files.isRegularFile(snapshotFile)) {
                cache.link(remote.commit(), path, remote.etag());
            }
            cache.writeRef(revision, remote.commit());
            return snapshotFile;
        } catch (IOException e) {
            throw new UserException("cannot write to the Hugging Face cache " + settings.cacheDir() + ": " + e.getMessage(), e);
        }
    }

    Remote head(String repo, String revision, String path) {
        URI uri = URI.create(settings.endpoint() + "/" + repo + "/resolve/" + revision + "/" + path);
        HttpResponse<Void> r = send(request(uri, true).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), uri);
        // Relative redirects on the Hub point at the canonical name of a renamed repo; follow those here.
        for (int i = 0; r.statusCode() / 100 == 3 && r.headers().firstValue("X-Linked-Etag").isEmpty() && i < MAX_REDIRECTS; i++) {
            uri = uri.resolve(r.headers().firstValue("Location").orElseThrow());
            r = send(request(uri, true).method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), uri);
        }
        if (r.statusCode() / 100 != 3) {
            checkStatus(r.statusCode(), repo + "/" + path + "@" + revision);
        }
        java.net.http.HttpHeaders h = r.headers();
        String commit = h.firstValue("X-Repo-Commit").orElseThrow(() ->
                new UserException(settings.endpoint() + " did not say which commit " + revision + " is (not a Hugging Face Hub?)"));
        String etag = h.firstValue("X-Linked-Etag").or(() -> h.firstValue("ETag")).orElseThrow(() ->
                new UserException(settings.endpoint() + " gave no ETag for " + path));
        etag = etag.replaceFirst("^W/", "").replace("\"", "");
        long size = h.firstValue("X-Linked-Size").or(() -> h.firstValue("Content-Length"))
                .map(Long::parseLong).orElse(-1L);
        URI location = r.statusCode() / 100 == 3 ? uri.resolve(h.firstValue("Location").orElseThrow()) : uri;
        return new Remote(commit, etag, size, location);
    }

    private void download(HfCache cache, Remote remote, String sha256, String what, Progress progress) throws IOException {
        Path blob = cache.blob(remote.etag());
        Files.createDirectories(blob.getParent());
        tagCacheDirectory();
        Path lockFile = cache.lock(remote.etag());
        Files.createDirectories(lockFile.getParent());
        // Another process (a Slurm array task, Python) may be fetching the same blob: take turns.
        try (FileChannel lockCh = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock lock = lockCh.lock()) {
            if (Files.isRegularFile(blob)) {
                return;
            }
            Path partial = blob.resolveSibling(remote.etag() + ".incomplete");
            progress.setLabel("downloading " + what);
            progress.setTotal(remote.size());
            IOException last = null;
            for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
                long have = Files.exists(partial) ? Files.size(partial) : 0;
                if (remote.size() >= 0 && have == remote.size()) {
                    break;
                }
                progress.resumedAt(have); // bytes of a partial download count towards the total, not the rate
                try {
                    transfer(remote.location(), partial, have, progress);
                    last = null;
                    if (remote.size() < 0 || Files.size(partial) == remote.size()) {
                        break;
                    }
                } catch (IOException e) {
                    last = e; // broken connection: resume from what arrived
                }
            }
            if (last != null || (remote.size() >= 0 && Files.size(partial) != remote.size())) {
                throw new UserException("download of " + what + " failed after " + MAX_ATTEMPTS + " attempts ("
                        + (last == null ? "incomplete" : last.getMessage()) + "); rerun to resume from "
                        + Files.size(partial) + " bytes");
            }
            String expected = sha256 != null ? sha256 : (remote.etag().matches("[0-9a-f]{64}") ? remote.etag() : null);
            if (expected != null) {
                String actual = sha256(partial);
                if (!actual.equals(expected)) {
                    Files.delete(partial);
                    throw new UserException("sha256 mismatch for " + what + ": expected " + expected + ", got " + actual
                            + "; the download was deleted");
                }
            }
            Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
            progress.finish();
        }
    }

    /** The backup-tool tag huggingface_hub puts in its cache (https://bford.info/cachedir/), so both caches look alike. */
    private void tagCacheDirectory() throws IOException {
        Path tag = settings.cacheDir().resolve("CACHEDIR.TAG");
        if (!Files.exists(tag)) {
            Files.writeString(tag, "Signature: 8a477f597d28d172789f06886806bc55\n"
                    + "# This file is a cache directory tag created by huggingface_hub.\n"
                    + "# For information about cache directory tags, see:\n#\thttps://bford.info/cachedir/\n");
        }
    }

    private void transfer(URI uri, Path partial, long offset, Progress progress) throws IOException {
        URI current = uri;
        HttpResponse<InputStream> r = null;
        for (int i = 0; i <= MAX_REDIRECTS; i++) {
            // The token goes only to the endpoint's host, never to the storage host a redirect points at.
            boolean sameHost = current.getHost() != null && current.getHost().equals(URI.create(settings.endpoint()).getHost());
            HttpRequest.Builder b = request(current, sameHost).GET();
            if (offset > 0) {
                b.header("Range", "bytes=" + offset + "-");
            }
            r = sendStream(b.build(), current);
            if (r.statusCode() / 100 != 3) {
                break;
            }
            r.body().close();
            current = current.resolve(r.headers().firstValue("Location").orElseThrow());
        }
        checkStatus(r.statusCode(), uri.toString());
        boolean append = offset > 0 && r.statusCode() == 206;
        if (offset > 0 && !append) {
            progress.resumedAt(0); // the server ignored Range: start over
        }
        try (InputStream in = r.body();
                OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                progress.advance(n);
            }
        }
    }

    private HttpRequest.Builder request(URI uri, boolean withToken) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10))
                .header("User-Agent", "geneformer4j")
                .header("Accept-Encoding", "identity");
        if (withToken && settings.token() != null) {
            b.header("Authorization", "Bearer " + settings.token());
        }
        return b;
    }

    private HttpResponse<Void> send(HttpRequest req, URI uri) {
        try {
            return http.send(req, HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            throw new UserException("cannot reach " + uri.getHost() + " (" + e.getMessage()
                    + "); offline? set HF_HUB_OFFLINE=1 to use the cache only", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UserException("interrupted");
        }
    }

    private HttpResponse<InputStream> sendStream(HttpRequest req, URI uri) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void checkStatus(int status, String what) {
        if (status == 401 || status == 403) {
            throw new UserException("the Hub refused " + what + " (HTTP " + status + "); set HF_TOKEN if the repository is gated");
        }
        if (status == 404) {
            throw new UserException(what + " was not found on " + settings.endpoint() + " (HTTP 404)");
        }
        if (status / 100 != 2) {
            throw new UserException("the Hub answered HTTP " + status + " for " + what);
        }
    }

    public static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 20];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
