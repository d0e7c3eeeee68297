package org.geneformer4j.tensor;

import org.geneformer4j.tensor.LibTorch;

/**
 * Loads LibTorch with MKL as its BLAS. The bytedeco LibTorch is linked against OpenBLAS, whose small matrix
 * products make the CPU attention kernel (SDPA) half as fast as in Python's torch; JavaCPP can load MKL under
 * OpenBLAS's name when told before the first native class loads, which is what {@link #init()} does.
 * Set {@code -Dorg.bytedeco.openblas.load=openblas} to keep OpenBLAS.
 */
public final class LibTorch {
    private static final String PROPERTY = "org.bytedeco.openblas.load";

    static {
        if (System.getProperty(PROPERTY) == null && LibTorch.class.getClassLoader().getResource(
                "org/bytedeco/mkl/linux-x86_64/libmkl_rt.so.2") != null) {
            System.setProperty(PROPERTY, "mkl_rt");
        }
    }

    private LibTorch() {}

    /** Call before any LibTorch class is used; idempotent. */
    public static void init() {
        // the static initialiser does the work
    }
}
