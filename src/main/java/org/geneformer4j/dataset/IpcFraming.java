package org.geneformer4j.dataset;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.apache.arrow.flatbuf.Message;
import org.geneformer4j.util.UserException;

/**
 * Walks an Arrow IPC stream's message frames (continuation marker, metadata length, metadata, body) and refuses
 * a length that reaches past the end of the file. Arrow's reader allocates the metadata buffer from that length
 * before reading it, so one flipped bit made it reserve 2 GiB for a 1 KiB file (found by fuzzing). The same walk
 * finds the record batches that {@link ArrowTokens} reads by position.
 */
final class IpcFraming {
    private static final int CONTINUATION = 0xFFFFFFFF;

    private IpcFraming() {}

    /** One message: its metadata and where its body lies in the file. */
    record Frame(Message message, long bodyAt, long bodyLength) {}

    static void check(Path file) throws IOException {
        try (SeekableByteChannel ch = Files.newByteChannel(file)) {
            walk(file, ch, 0, ch.size(), f -> { });
        }
    }

    /**
     * Every message between {@code from} and the end-of-stream marker (or {@code end}, where an IPC file's footer
     * begins), checked against the file's size before anything is allocated from its lengths.
     */
    static void walk(Path file, SeekableByteChannel ch, long from, long end, Consumer<Frame> each) throws IOException {
        long size = ch.size();
        long at = from;
        ByteBuffer word = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
        while (at < end) {
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
            Message message;
            long body;
            try {
                message = Message.getRootAsMessage(meta);
                body = message.bodyLength();
            } catch (RuntimeException e) {
                throw new UserException(file + ": corrupt Arrow message at offset " + (at - len) + " (" + e + ")", e);
            }
            if (body < 0 || body > size - at) {
                throw corrupt(file, "a message body of " + body + " bytes at offset " + at, size);
            }
            each.accept(new Frame(message, at, body));
            at += body;
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
