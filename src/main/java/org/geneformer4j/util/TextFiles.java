package org.geneformer4j.util;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** Opens text inputs that may or may not be gzip-compressed, judged by their magic bytes, not their name. */
public final class TextFiles {
    private TextFiles() {
    }

    public static BufferedReader open(Path path) throws IOException {
        return reader(Files.newInputStream(path));
    }

    public static BufferedReader reader(InputStream raw) throws IOException {
        PushbackInputStream in = new PushbackInputStream(raw, 2);
        byte[] magic = new byte[2];
        int n = in.readNBytes(magic, 0, 2);
        if (n > 0) {
            in.unread(magic, 0, n);
        }
        InputStream body = (n == 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b)
                ? new GZIPInputStream(in, 1 << 16) : in;
        return new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8), 1 << 16);
    }
}
