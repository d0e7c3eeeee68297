package org.geneformer4j.kernel;

/**
 * Whether {@code libgeneformer_native} (and its JNI glue) is loadable here, and how many CUDA devices it sees.
 * Loaded lazily, once; a failure is remembered with its reason, for {@code --verbose} to say which path ran.
 */
public final class NativeLibrary {
    static final int ABI_VERSION = 1;
    private static volatile Status status;

    private NativeLibrary() {}

    /** What loading found: loaded or not (with why), and the CUDA devices the library sees. */
    public record Status(boolean loaded, String reason, int cudaDevices) {}

    public static Status status() {
        Status s = status;
        if (s == null) {
            synchronized (NativeLibrary.class) {
                if (status == null) {
                    status = load();
                }
                s = status;
            }
        }
        return s;
    }

    public static boolean available() {
        return status().loaded();
    }

    private static Status load() {
        if (Boolean.getBoolean("geneformer.native.disable")) {
            return new Status(false, "disabled by -Dgeneformer.native.disable=true", 0);
        }
        try {
            GeneformerNative.load();
            int abi = GeneformerNative.gf_abi_version();
            if (abi != ABI_VERSION) {
                return new Status(false, "libgeneformer_native has ABI " + abi + ", this build needs " + ABI_VERSION, 0);
            }
            return new Status(true, "loaded", GeneformerNative.gf_cuda_device_count());
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            String why = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            return new Status(false, "libgeneformer_native is not loadable (" + why + ")", 0);
        }
    }
}
