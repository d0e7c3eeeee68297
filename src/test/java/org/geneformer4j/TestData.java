package org.geneformer4j;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/** Locates test resources and the optional ../shared folder; shared helpers for comparing tokens. */
public final class TestData {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TestData() {
    }

    public static Path resource(String name) {
        URL url = TestData.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalArgumentException("missing test resource " + name);
        }
        try {
            return Paths.get(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path projectDir() {
        String p = System.getProperty("geneformer.projectDir");
        return p != null ? Paths.get(p) : Paths.get("").toAbsolutePath();
    }

    public static Path example() {
        return projectDir().resolve("examples/pbmc68k_reduced_counts.h5ad");
    }

    /** {@code ../shared/data} beside the checkout, when present (CI has it; a bare clone does not). */
    public static Optional<Path> sharedData() {
        Path p = projectDir().resolve("../shared/data").normalize();
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /**
     * The upstream model goldens, {@code ../shared/reference/goldens/model/NAME}, when present. They are 8-12 MB
     * per model, too big to commit; the committed fixtures/model files cover the same code without them.
     */
    public static Optional<Path> sharedModelGolden(String name) {
        Path p = projectDir().resolve("../shared/reference/goldens/model").resolve(name).normalize();
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    public static List<JsonNode> jsonl(Path p) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String line : Files.readAllLines(p)) {
            if (!line.isBlank()) out.add(JSON.readTree(line));
        }
        return out;
    }

    public static int[] ints(JsonNode array) {
        int[] a = new int[array.size()];
        for (int i = 0; i < a.length; i++) a[i] = array.get(i).asInt();
        return a;
    }

    /** First 16 hex digits of sha256 over the tokens as little-endian int32 (as the fixture script computes). */
    public static String digest(int[] tokens) {
        ByteBuffer b = ByteBuffer.allocate(tokens.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (int t : tokens) b.putInt(t);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b.array())).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
