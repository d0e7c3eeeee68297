package org.geneformer4j.checkpoint;

import org.geneformer4j.checkpoint.DType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.SafeTensors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import org.geneformer4j.util.AtomicFile;
import org.geneformer4j.util.UserException;

/**
 * The safetensors format: an 8-byte little-endian header length, a JSON header mapping names to dtype, shape and
 * byte offsets, then the raw data. Reading maps the file; tensors are slices of the mapping.
 */
public final class SafeTensors {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_HEADER = 100L << 20;

    private SafeTensors() {}

    /** Reads every tensor of {@code file} (in header order), plus the {@code __metadata__} strings. */
    public static Map<String, HostTensor> read(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) {
                throw corrupt(file, "shorter than its 8-byte header length");
            }
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(lenBuf, 0);
            long headerLen = lenBuf.getLong(0);
            if (headerLen <= 0 || headerLen > MAX_HEADER || 8 + headerLen > size) {
                throw corrupt(file, "header length " + headerLen + " does not fit a file of " + size + " bytes");
            }
            ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
            ch.read(hb, 8);
            JsonNode header;
            try {
                header = JSON.readTree(new String(hb.array(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw corrupt(file, "header is not JSON");
            }
            long dataStart = 8 + headerLen;
            long dataLen = size - dataStart;
            // Map lazily per tensor in windows below 2 GiB (ByteBuffer's limit); models up to 316M params are fine.
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().equals("__metadata__")) {
                    continue;
                }
                JsonNode t = e.getValue();
                DType dtype = DType.ofSafetensors(t.path("dtype").asText());
                JsonNode shapeNode = t.path("shape");
                long[] shape = new long[shapeNode.size()];
                for (int i = 0; i < shape.length; i++) {
                    shape[i] = shapeNode.get(i).asLong();
                }
                long begin = t.path("data_offsets").path(0).asLong(-1);
                long end = t.path("data_offsets").path(1).asLong(-1);
                if (begin < 0 || end < begin || end > dataLen) {
                    throw corrupt(file, "tensor " + e.getKey() + " lies outside the file (truncated download?)");
                }
                if (end - begin != HostTensor.numel(shape) * dtype.bytes) {
                    throw corrupt(file, "tensor " + e.getKey() + " has " + (end - begin) + " bytes for its shape");
                }
                ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, dataStart + begin, end - begin);
                out.put(e.getKey(), new HostTensor(dtype, shape, buf));
            }
            return out;
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Writes tensors in the layout of the Python {@code safetensors} package (names sorted, 8-byte aligned header
     * padded with spaces), atomically.
     */
    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata) {
        TreeMap<String, HostTensor> sorted = new TreeMap<>(tensors);
        ObjectNode header = JSON.createObjectNode();
        if (metadata != null && !metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Map.Entry<String, HostTensor> e : sorted.entrySet()) {
            HostTensor t = e.getValue();
            ObjectNode n = header.putObject(e.getKey());
            n.put("dtype", t.dtype().safetensorsName);
            var shape = n.putArray("shape");
            for (long s : t.shape()) {
                shape.add(s);
            }
            long len = t.data().remaining();
            n.putArray("data_offsets").add(offset).add(offset + len);
            offset += len;
        }
        byte[] hjson = header.toString().getBytes(StandardCharsets.UTF_8);
        int padded = (hjson.length + 7) / 8 * 8;
        try (AtomicFile out = AtomicFile.create(file, true)) {
            WritableByteChannel ch = Channels.newChannel(out.stream());
            ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
            head.putLong(padded).put(hjson);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            head.flip();
            writeFully(ch, head);
            for (HostTensor t : sorted.values()) {
                writeFully(ch, t.data().duplicate());
            }
            out.commit();
        } catch (IOException e) {
            throw new UserException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    private static void writeFully(WritableByteChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static UserException corrupt(Path file, String why) {
        return new UserException(file + " is not a valid safetensors file: " + why);
    }
}
