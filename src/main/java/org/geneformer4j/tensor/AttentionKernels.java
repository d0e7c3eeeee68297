package org.geneformer4j.tensor;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.pytorch.Context;
import org.bytedeco.pytorch.global.torch;
import org.geneformer4j.util.UserException;

/**
 * Which kernels LibTorch's {@code scaled_dot_product_attention} (padded batches) may pick, from
 * {@code GENEFORMER_SDPA}: a comma list of {@code flash}, {@code efficient}, {@code math}, {@code cudnn}. Unset,
 * LibTorch chooses. It exists for measurement, not for users: the GPU verification trains once with the math kernel
 * to learn how far two correct attention kernels drift apart over a run (the tolerance for the packed layout), and
 * times bf16 steps with the kernel fixed. Packed batches call their variable-length kernels by name and ignore it.
 */
public final class AttentionKernels {
    static final String VARIABLE = "GENEFORMER_SDPA";
    private static final Set<String> NAMES = Set.of("flash", "efficient", "math", "cudnn");
    private static volatile boolean applied;

    private AttentionKernels() {}

    /** Applies {@code GENEFORMER_SDPA} once per process; a no-op when it is unset. */
    public static void fromEnvironment() {
        if (applied) {
            return;
        }
        applied = true;
        String spec = System.getenv(VARIABLE);
        if (spec != null && !spec.isBlank()) {
            allow(spec);
        }
    }

    /** Allows exactly the named kernels; an unknown name is the user's error. */
    static void allow(String spec) {
        Set<String> names = new TreeSet<>();
        for (String part : spec.split(",")) {
            String name = part.trim().toLowerCase(Locale.ROOT);
            if (!NAMES.contains(name)) {
                throw new UserException(VARIABLE + "=" + spec + ": unknown attention kernel '" + part.trim()
                        + "' (flash, efficient, math or cudnn)");
            }
            names.add(name);
        }
        Context c = torch.globalContext();
        c.setSDPUseFlash(names.contains("flash"));
        c.setSDPUseMemEfficient(names.contains("efficient"));
        c.setSDPUseMath(names.contains("math"));
        c.setSDPUseCuDNN(names.contains("cudnn"));
    }
}
