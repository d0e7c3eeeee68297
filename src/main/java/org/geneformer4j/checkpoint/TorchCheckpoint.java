package org.geneformer4j.checkpoint;

import org.geneformer4j.checkpoint.DType;
import org.geneformer4j.checkpoint.HostTensor;
import org.geneformer4j.checkpoint.TorchCheckpoint;
import org.geneformer4j.checkpoint.TorchPickle;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.geneformer4j.util.UserException;

/**
 * Reads {@code pytorch_model.bin} files written by {@code torch.save} (the zip format of torch 1.6 and later): a
 * pickled state dict in {@code <archive>/data.pkl} whose tensors point at storages {@code <archive>/data/<key>}.
 */
public final class TorchCheckpoint {
    private TorchCheckpoint() {}

    public static Map<String, HostTensor> read(Path file) {
        try (ZipFile zip = new ZipFile(file.toFile())) {
            String prefix = null;
            for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
                String name = en.nextElement().getName();
                if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) {
                    prefix = name.substring(0, name.length() - "data.pkl".length());
                }
            }
            if (prefix == null) {
                throw new UserException(file + " is a zip file but not a torch checkpoint (no data.pkl)");
            }
            Object root = TorchPickle.load(bytes(zip, prefix + "data.pkl", file), file.toString());
            if (root instanceof Map<?, ?> m && m.size() == 1 && m.get("state_dict") instanceof Map<?, ?> inner) {
                root = inner;
            }
            if (!(root instanceof Map<?, ?> dict)) {
                throw new UserException(file + " does not hold a state dict");
            }
            Map<String, ByteBuffer> storages = new HashMap<>();
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : dict.entrySet()) {
                if (!(e.getValue() instanceof TorchPickle.TensorRef t)) {
                    continue; // non-tensor entries (rare: version numbers) carry no weights
                }
                String name = String.valueOf(e.getKey());
                String prefixFinal = prefix;
                ByteBuffer storage = storages.computeIfAbsent(t.storage().key(),
                        k -> direct(zip, prefixFinal + "data/" + k, file));
                out.put(name, view(name, t, storage, file));
            }
            return out;
        } catch (ZipException e) {
            throw new UserException(file + " is not a torch zip checkpoint (" + e.getMessage()
                    + "); files from torch before 1.6 must be re-saved with a newer torch");
        } catch (IOException e) {
            throw new UserException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static HostTensor view(String name, TorchPickle.TensorRef t, ByteBuffer storage, Path file) {
        DType dt = t.storage().dtype();
        long numel = HostTensor.numel(t.shape());
        long[] contiguous = new long[t.shape().length];
        long s = 1;
        for (int i = contiguous.length - 1; i >= 0; i--) {
            contiguous[i] = s;
            s *= t.shape()[i];
        }
        boolean isContiguous = numel <= 1 || Arrays.equals(contiguous, t.stride());
        long begin = t.offset() * dt.bytes;
        ByteBuffer src = storage.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (isContiguous) {
            long end = begin + numel * dt.bytes;
            if (end > src.capacity()) {
                throw new UserException(file + ": tensor " + name + " lies outside its storage (corrupt file)");
            }
            return new HostTensor(dt, t.shape(), src.position((int) begin).limit((int) end).slice());
        }
        // A strided view (e.g. a transposed parameter): gather its elements in row-major order.
        ByteBuffer out = ByteBuffer.allocateDirect(Math.toIntExact(numel * dt.bytes)).order(ByteOrder.LITTLE_ENDIAN);
        long[] idx = new long[t.shape().length];
        for (long n = 0; n < numel; n++) {
            long off = t.offset();
            for (int d = 0; d < idx.length; d++) {
                off += idx[d] * t.stride()[d];
            }
            for (int b = 0; b < dt.bytes; b++) {
                out.put(src.get((int) (off * dt.bytes + b)));
            }
            for (int d = idx.length - 1; d >= 0 && ++idx[d] == t.shape()[d]; d--) {
                idx[d] = 0;
            }
        }
        out.flip();
        return new HostTensor(dt, t.shape(), out);
    }

    private static byte[] bytes(ZipFile zip, String entry, Path file) throws IOException {
        ZipEntry e = zip.getEntry(entry);
        try (InputStream in = zip.getInputStream(e)) {
            return in.readAllBytes();
        }
    }

    private static ByteBuffer direct(ZipFile zip, String entry, Path file) {
        ZipEntry e = zip.getEntry(entry);
        if (e == null) {
            throw new UserException(file + " is missing " + entry + " (truncated or corrupt checkpoint)");
        }
        try (InputStream in = zip.getInputStream(e)) {
            ByteBuffer b = ByteBuffer.allocateDirect(Math.toIntExact(e.getSize())).order(ByteOrder.LITTLE_ENDIAN);
            byte[] chunk = new byte[1 << 20];
            for (int n; (n = in.read(chunk)) > 0; ) {
                b.put(chunk, 0, n);
            }
            if (b.hasRemaining()) {
                throw new UserException(file + ": storage " + entry + " ends early (truncated download?)");
            }
            return b.flip();
        } catch (IOException ex) {
            throw new UserException(file + ": cannot read " + entry + " (" + ex.getMessage() + "); the file is corrupt", ex);
        }
    }
}
