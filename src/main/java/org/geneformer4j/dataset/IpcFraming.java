package org.geneformer4j.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.arrow.flatbuf.Message;
import org.geneformer4j.util.UserException;

/**
 * Walks an Arrow IPC stream's message frames (continuation marker, metadata length, metadata, body) and refuses
 * a length that reaches past the end of the file. Arrow's reader allocates the metadata buffer from that length
 * before reading it, so one flipped bit made it reserve 2 GiB for a 1 KiB file (found by fuzzing).
 */
final class IpcFraming {
    private static final int CONTINUATION = 0xFFFFFFFF;

    private IpcFraming() {}

    static void check(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            long size = ch.size();
            long at = 0;
            ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
            while (true) {
                if (at + 4 > size) return; // no end-of-stream marker: Arrow's reader reports what it makes of that
                int len = readInt(ch, word, at);
                at += 4;
                if (len == CONTINUATION) {
                    if (at + 4 > size) return;
                    len = readInt(ch, word, at);
                    at += 4;
                }
                if (len == 0) return; // end of stream
                if (len < 0 || len > size - at) {
                    throw corrupt(file, "a message of " + Integer.toUnsignedString(len) + " bytes at offset " + (at - 4), size);
                }
                ByteBuffer meta = ByteBuffer.allocate(len).order(ByteOrder.LITTLE_ENDIAN);
                ch.position(at);
                while (meta.hasRemaining() && ch.read(meta) > 0) {
                    // fill
                }
                meta.flip();
                at += len;
                long body;
                try {
                    body = Message.getRootAsMessage(meta).bodyLength();
                } catch (RuntimeException e) {
                    throw new UserException(file + ": corrupt Arrow message at offset " + (at - len) + " (" + e + ")", e);
                }
                if (body < 0 || body > size - at) {
                    throw corrupt(file, "a message body of " + body + " bytes at offset " + at, size);
                }
                at += body;
            }
        }
    }

    private static int readInt(SeekableByteChannel ch, ByteBuffer word, long at) throws IOException {
        word.clear();
        ch.position(at);
        while (word.hasRemaining() && ch.read(word) > 0) {
            // fill
        }
        return word.getInt(0);
    }

    private static UserException corrupt(Path file, String what, long size) {
        return new UserException(file + ": corrupt Arrow data: " + what + " reaches past the end of the " + size + "-byte file");
    }
}
