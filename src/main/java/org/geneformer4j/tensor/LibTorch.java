package org.geneformer4j.tensor;

import org.geneformer4j.tensor.LibTorch;

/**
 * Loads LibTorch with MKL as its BLAS. The bytedeco LibTorch is linked against OpenBLAS, whose small matrix
 * products make the CPU attention kernel (SDPA) half as fast as in Python's torch; JavaCPP can load MKL under
 * OpenBLAS's name when told before the first native class loads, which is what {@link #init()} does.
 * Set {@code -Dorg.bytedeco.openblas.load=openblas} to keep OpenBLAS. It also lifts JavaCPP's cap on resident
 * memory (below), unless {@code -Dorg.bytedeco.javacpp.maxPhysicalBytes} is given.
 */
public final class LibTorch {
    private static final String PROPERTY = "org.bytedeco.openblas.load";
    private static final String PHYSICAL = "org.bytedeco.javacpp.maxPhysicalBytes";

    static {
        // JavaCPP refuses to register native memory once the process's resident size passes maxPhysicalBytes, by
        // default a few times the Java heap's limit, after stalling each allocation on System.gc(): LibTorch's tensors
        // live outside the heap, so a job run with -Xmx1g and a model of 2 GB would stop with "Physical memory usage
        // is too high". The operating system and LibTorch's allocators are the real limits.
        if (System.getProperty(PHYSICAL) == null) {
            System.setProperty(PHYSICAL, "0");
        }
        if (System.getProperty(PROPERTY) == null && LibTorch.class.getClassLoader().getResource(
                "org/bytedeco/mkl/linux-x86_64/libmkl_rt.so.2") != null) {
            System.setProperty(PROPERTY, "mkl_rt");
        }
    }

    private LibTorch() {}

    /** Call before any JavaCPP class is used (Main does, first); idempotent. */
    public static void init() {
        // the static initialiser does the work
    }
}
