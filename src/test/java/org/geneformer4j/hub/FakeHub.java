package org.geneformer4j.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A Hugging Face Hub on loopback, in the Hub's URL layout: {@code /OWNER/NAME/resolve/REV/PATH} answers HEAD and GET
 * with X-Repo-Commit and ETag headers; large ("LFS") files redirect to a storage host ({@code localhost} rather
 * than {@code 127.0.0.1}, so the token must not follow) that honours Range requests. Faults can be injected.
 */
final class FakeHub implements AutoCloseable {
    static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

    record Served(byte[] body, String sha256, boolean lfs) {}

    final Map<String, Served> files = new ConcurrentHashMap<>(); // repo path -> content
    final List<String> log = new CopyOnWriteArrayList<>(); // "METHOD path range=.. auth=.."
    final Map<String, Integer> breakFirstGets = new ConcurrentHashMap<>(); // sha -> gets to cut in half
    volatile String requiredToken;
    volatile boolean corrupt;
    private final HttpServer server;

    FakeHub(String repo) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/" + repo + "/resolve/", ex -> resolve(ex, repo));
        server.createContext("/cdn/", this::cdn);
        server.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    void put(String path, byte[] body, boolean lfs) throws IOException {
        files.put(path, new Served(body, sha256(body), lfs));
    }

    private void resolve(HttpExchange ex, String repo) throws IOException {
        String rest = ex.getRequestURI().getPath().substring(("/" + repo + "/resolve/").length());
        String rev = rest.substring(0, rest.indexOf('/'));
        String path = rest.substring(rev.length() + 1);
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        log.add(ex.getRequestMethod() + " " + path + " auth=" + auth);
        if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
            reply(ex, 401, null);
            return;
        }
        Served s = files.get(path);
        if (s == null || !(rev.equals("main") || rev.equals(COMMIT) || COMMIT.startsWith(rev))) {
            reply(ex, 404, null);
            return;
        }
        ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
        if (s.lfs()) {
            ex.getResponseHeaders().add("X-Linked-Etag", "\"" + s.sha256() + "\"");
            ex.getResponseHeaders().add("X-Linked-Size", String.valueOf(s.body().length));
            ex.getResponseHeaders().add("Location", "http://localhost:" + server.getAddress().getPort() + "/cdn/" + s.sha256());
            reply(ex, 302, null);
        } else {
            ex.getResponseHeaders().add("ETag", "\"" + s.sha256().substring(0, 40) + "\"");
            reply(ex, 200, ex.getRequestMethod().equals("HEAD") ? null : s.body(), s.body().length);
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        String sha = ex.getRequestURI().getPath().substring("/cdn/".length());
        String range = ex.getRequestHeaders().getFirst("Range");
        log.add("CDN " + ex.getRequestMethod() + " " + sha.substring(0, 8) + " range=" + range + " auth="
                + ex.getRequestHeaders().getFirst("Authorization"));
        Served s = files.values().stream().filter(f -> f.sha256().equals(sha)).findFirst().orElse(null);
        if (s == null) {
            reply(ex, 404, null);
            return;
        }
        byte[] body = s.body().clone();
        if (corrupt) {
            body[body.length / 2] ^= 1;
        }
        int from = range == null ? 0 : Integer.parseInt(range.replaceAll("bytes=(\\d+)-.*", "$1"));
        int remaining = body.length - from;
        if (from > 0) {
            ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        }
        ex.sendResponseHeaders(from > 0 ? 206 : 200, remaining);
        OutputStream out = ex.getResponseBody();
        int cut = breakFirstGets.getOrDefault(sha, 0) > 0 ? remaining / 2 : remaining;
        breakFirstGets.computeIfPresent(sha, (k, v) -> v - 1);
        out.write(body, from, cut);
        out.flush();
        if (cut < remaining) {
            // Drop the connection mid-file: what a flaky network does.
            ex.close();
            return;
        }
        out.close();
    }

    private static void reply(HttpExchange ex, int status, byte[] body) throws IOException {
        reply(ex, status, body, -1);
    }

    private static void reply(HttpExchange ex, int status, byte[] body, long length) throws IOException {
        if (length >= 0) {
            ex.getResponseHeaders().add("Content-Length", String.valueOf(length));
        }
        ex.sendResponseHeaders(status, body == null ? -1 : body.length);
        if (body != null) {
            ex.getResponseBody().write(body);
        }
        ex.close();
    }

    static String sha256(byte[] b) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(b));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
