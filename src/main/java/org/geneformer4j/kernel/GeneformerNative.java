package org.geneformer4j.kernel;

import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code src/main/cpp/geneformer_native.h}. The JNI glue is generated and compiled at build time
 * ({@code native/build.sh}, Maven's process-classes phase) next to {@code libgeneformer_native}; when that did not
 * happen (no C++ toolchain) {@link NativeLibrary#available()} is false and the Java paths run.
 * Use it through {@link NativeLibrary}, which loads it lazily and once.
 */
@Platform(include = "geneformer_native.h", link = "geneformer_native")
public final class GeneformerNative {
    private GeneformerNative() {}

    static void load() {
        Loader.load();
    }

    /** {@code gf_rank_plan}: how columns become genes and tokens; see the header. */
    public static final class gf_rank_plan extends Pointer {
        static {
            Loader.load();
        }

        public gf_rank_plan() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native int n_columns();
        public native gf_rank_plan n_columns(int v);
        public native int n_slots();
        public native gf_rank_plan n_slots(int v);
        @Const public native IntPointer slot_of_column();
        public native gf_rank_plan slot_of_column(IntPointer v);
        @Const public native IntPointer slot_token();
        public native gf_rank_plan slot_token(IntPointer v);
        @Const public native DoublePointer slot_median();
        public native gf_rank_plan slot_median(DoublePointer v);
        @Const public native DoublePointer slot_inv_median();
        public native gf_rank_plan slot_inv_median(DoublePointer v);
        @Cast("const uint8_t*") public native BytePointer slot_summed();
        public native gf_rank_plan slot_summed(@Cast("const uint8_t*") BytePointer v);
        public native int any_summed();
        public native gf_rank_plan any_summed(int v);
        public native int scipy_path();
        public native gf_rank_plan scipy_path(int v);
        public native int float32();
        public native gf_rank_plan float32(int v);
        public native double target_sum();
        public native gf_rank_plan target_sum(double v);
        public native int max_genes();
        public native gf_rank_plan max_genes(int v);
        public native int cls();
        public native gf_rank_plan cls(int v);
        public native int eos();
        public native gf_rank_plan eos(int v);
        public native int allow_non_integer();
        public native gf_rank_plan allow_non_integer(int v);
    }

    /** {@code gf_cells}: a block of cells in CSR form (host or device pointers). */
    public static final class gf_cells extends Pointer {
        static {
            Loader.load();
        }

        public gf_cells() {
            super((Pointer) null);
            allocate();
        }

        private native void allocate();

        public native int n_cells();
        public native gf_cells n_cells(int v);
        @Cast("const int64_t*") public native LongPointer indptr();
        public native gf_cells indptr(@Cast("const int64_t*") LongPointer v);
        @Const public native IntPointer indices();
        public native gf_cells indices(IntPointer v);
        @Const public native DoublePointer values();
        public native gf_cells values(DoublePointer v);
        @Const public native DoublePointer n_counts();
        public native gf_cells n_counts(DoublePointer v);
    }

    /** The opaque device copy of a plan. */
    @Opaque
    public static final class gf_device_plan extends Pointer {
        public gf_device_plan() {
            super((Pointer) null);
        }

        public gf_device_plan(Pointer p) {
            super(p);
        }
    }

    public static native int gf_abi_version();

    public static native int gf_rank_encode_cpu(@Const gf_rank_plan plan, @Const gf_cells cells, int stride,
            IntPointer tokens, IntPointer lengths, IntPointer genes);

    public static native int gf_cuda_device_count();

    @Cast("const char*") public static native BytePointer gf_cuda_last_error();

    public static native Pointer gf_cuda_malloc(long bytes, int device);

    public static native void gf_cuda_free(Pointer p, int device);

    public static native Pointer gf_cuda_host_alloc(long bytes);

    public static native void gf_cuda_host_free(Pointer p);

    public static native Pointer gf_cuda_stream_create(int device);

    public static native void gf_cuda_stream_destroy(Pointer stream);

    public static native int gf_cuda_stream_sync(Pointer stream);

    public static native int gf_cuda_copy_h2d(Pointer dst, @Const Pointer src, long bytes, Pointer stream);

    public static native int gf_cuda_copy_d2h(Pointer dst, @Const Pointer src, long bytes, Pointer stream);

    public static native gf_device_plan gf_cuda_plan_create(@Const gf_rank_plan plan, int device);

    public static native void gf_cuda_plan_destroy(gf_device_plan plan);

    public static native int gf_cuda_max_cell_values();

    public static native int gf_cuda_rank_encode(@Const gf_device_plan plan, @Const gf_cells cells, int maxCellValues, int stride,
            IntPointer tokens, IntPointer lengths, IntPointer genes, Pointer stream);
}
