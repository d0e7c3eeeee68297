// geneformer4j native layer: rank-value encoding of cells (CPU twin and CUDA kernel) and the memory the Java
// pool hands out. A plain C ABI so JavaCPP binds it without C++ name mangling.
#ifndef GENEFORMER_NATIVE_H
#define GENEFORMER_NATIVE_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * How input columns become vocabulary genes and tokens: exactly the Java GenePlan + Normalization + settings.
 * Slots are numbered in the order the Java plan gives them; ties in value are broken by ascending slot.
 */
typedef struct gf_rank_plan {
    int32_t n_columns;
    int32_t n_slots;
    const int32_t* slot_of_column;  /* [n_columns]; -1: not in the vocabulary */
    const int32_t* slot_token;      /* [n_slots] */
    const double* slot_median;      /* [n_slots] */
    const double* slot_inv_median;  /* [n_slots], 1.0 / median as Java computes it */
    const uint8_t* slot_summed;     /* [n_slots]; 1 where several columns map to the slot */
    int32_t any_summed;
    int32_t scipy_path;             /* 1: x * (1/n) * target * (1/median); 0: x / n * target / median */
    int32_t float32;                /* upstream's float32 steps (float32 X and n_counts) */
    double target_sum;
    int32_t max_genes;              /* genes kept after sorting */
    int32_t cls;                    /* first token, or -1 */
    int32_t eos;                    /* last token, or -1 */
    int32_t allow_non_integer;
} gf_rank_plan;

/* A block of cells in CSR form. indptr holds absolute offsets into indices/values. */
typedef struct gf_cells {
    int32_t n_cells;
    const int64_t* indptr;   /* [n_cells + 1] */
    const int32_t* indices;  /* column of each stored value */
    const double* values;
    const double* n_counts;  /* [n_cells], total count over all genes */
} gf_cells;

/* lengths[c] below zero report a bad cell: */
#define GF_BAD_VALUE (-1)     /* negative, NaN, infinite, or non-integer without allow_non_integer */
#define GF_BAD_N_COUNTS (-2)  /* expressed genes but n_counts <= 0 */

/*
 * CPU reference. Writes cell c's tokens to tokens[c * stride ...] (stride >= max_genes + 2), its token count to
 * lengths[c] and its expressed vocabulary genes before truncation to genes[c]. Returns the number of bad cells.
 */
int32_t gf_rank_encode_cpu(const gf_rank_plan* plan, const gf_cells* cells, int32_t stride,
                           int32_t* tokens, int32_t* lengths, int32_t* genes);

/* Version of this library's ABI; the Java side refuses a library of another version. */
int32_t gf_abi_version(void);

/* ---- CUDA (present when the library was built with CUDA; otherwise these report no device) ---- */

/* Number of usable CUDA devices (0 without CUDA or without a GPU). */
int32_t gf_cuda_device_count(void);

/* The last CUDA error of this thread as text ("" when none). */
const char* gf_cuda_last_error(void);

/* Memory for the Java pool: device and pinned host buffers, and copies on a stream. NULL / nonzero on failure. */
void* gf_cuda_malloc(int64_t bytes, int32_t device);
void gf_cuda_free(void* p, int32_t device);
void* gf_cuda_host_alloc(int64_t bytes);
void gf_cuda_host_free(void* p);
void* gf_cuda_stream_create(int32_t device);
void gf_cuda_stream_destroy(void* stream);
int32_t gf_cuda_stream_sync(void* stream);
int32_t gf_cuda_copy_h2d(void* dst, const void* src, int64_t bytes, void* stream);
int32_t gf_cuda_copy_d2h(void* dst, const void* src, int64_t bytes, void* stream);

/* The plan's arrays copied to a device once; the handle is opaque. */
typedef struct gf_device_plan gf_device_plan;
gf_device_plan* gf_cuda_plan_create(const gf_rank_plan* plan, int32_t device);
void gf_cuda_plan_destroy(gf_device_plan* plan);

/* Largest number of stored values of one cell that the fused kernel sorts in shared memory. */
int32_t gf_cuda_max_cell_values(void);

/*
 * The fused kernel on a block whose CSR arrays (indptr, indices, values, n_counts) are already on the device;
 * outputs as gf_rank_encode_cpu, on the device. max_cell_values (the most stored values of any cell of the
 * block, which the caller knows from indptr) sizes the shared memory. Cells with more stored values than gf_cuda_max_cell_values()
 * get lengths[c] = GF_TOO_LONG and are left for the CPU. Asynchronous on `stream`; returns 0 or a CUDA error code.
 */
#define GF_TOO_LONG (-3)
int32_t gf_cuda_rank_encode(const gf_device_plan* plan, const gf_cells* device_cells, int32_t max_cell_values, int32_t stride,
                            int32_t* tokens, int32_t* lengths, int32_t* genes, void* stream);

#ifdef __cplusplus
}
#endif

#endif
