package org.geneformer4j.tokenize;

import java.util.List;
import java.util.Locale;
import org.geneformer4j.kernel.NativeLibrary;
import org.geneformer4j.util.Log;
import org.geneformer4j.util.UserException;

/**
 * Which rank-value encoder runs, from {@code --device} and {@code --encoder}: the Java one, the C++ CPU twin, or the
 * CUDA kernel. As for every command, cuda means a GPU or an error, so a job never runs on the CPU unnoticed.
 */
public final class EncoderChoice {
    private EncoderChoice() {}

    /** @return null for the Java encoder, -1 for the C++ twin, N for the kernel on cuda:N ({@link Tokenizer#useNative}) */
    public static Integer of(String device, String encoder, int threads, Log log) {
        String d = device.toLowerCase(Locale.ROOT);
        if (!d.equals("cpu") && !d.matches("cuda(:\\d+)?")) {
            throw new UserException("--device must be cpu, cuda or cuda:N, not '" + device + "'");
        }
        if (!List.of("java", "native").contains(encoder)) {
            throw new UserException("--encoder must be java or native, not '" + encoder + "'");
        }
        NativeLibrary.Status st = NativeLibrary.status();
        if (d.startsWith("cuda")) {
            int n = d.contains(":") ? Integer.parseInt(d.substring(5)) : 0;
            if (st.loaded() && n < st.cudaDevices()) {
                log.detail("tokenizer: fused CUDA kernel on cuda:" + n);
                return n;
            }
            throw new UserException("--device cuda:" + n + ": " + (st.loaded() ? "no such CUDA device (" + st.cudaDevices() + " seen)"
                    : "the native tokenizer library is not available (" + st.reason() + ")") + "; use --device cpu to tokenize on the CPU");
        }
        if (encoder.equals("native")) {
            if (!st.loaded()) {
                throw new UserException("--encoder native: " + st.reason());
            }
            log.detail("tokenizer: native C++ CPU encoder");
            return -1;
        }
        log.detail("tokenizer: Java CPU encoder on " + threads + " thread(s)");
        return null;
    }
}
