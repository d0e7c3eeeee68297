// The fused rank-value encoding kernel: one thread block per cell does the whole of upstream's per-cell work
// in shared memory: validate, map columns to vocabulary genes, sum genes that several columns map to,
// normalise, sort by value descending (ties by slot), truncate, add <cls>/<eos>. Its CPU twin is
// rank_encode_cpu.cpp; src/test/cpp/test_rank_encode.cu compares the two.
#include <cuda_runtime.h>

#include <cstdio>

#include "geneformer_native.h"
#include "rank_value.h"

namespace {

constexpr int kThreads = 256;
constexpr int kMaxValues = 8192;  // 8192 x 12 bytes = 96 KiB of shared memory, opted into per kernel
thread_local char last_error[256] = "";

int32_t note(cudaError_t e) {
    if (e != cudaSuccess) {
        snprintf(last_error, sizeof last_error, "%s", cudaGetErrorString(e));
    }
    return static_cast<int32_t>(e);
}

__host__ __device__ int next_pow2(int n) {
    int p = 1;
    while (p < n) p <<= 1;
    return p;
}

// Bitonic sort of keys[0..n) ascending by (key, payload); n a power of two, padding holds maximal keys.
__device__ void bitonic_sort(uint64_t* keys, int32_t* payload, int n) {
    for (int size = 2; size <= n; size <<= 1) {
        for (int stride = size >> 1; stride > 0; stride >>= 1) {
            for (int i = threadIdx.x; i < n / 2; i += blockDim.x) {
                int lo = 2 * i - (i & (stride - 1));
                int hi = lo + stride;
                bool ascending = (lo & size) == 0;
                uint64_t a = keys[lo], b = keys[hi];
                int32_t pa = payload[lo], pb = payload[hi];
                bool greater = a > b || (a == b && pa > pb);
                if (greater == ascending) {
                    keys[lo] = b;
                    keys[hi] = a;
                    payload[lo] = pb;
                    payload[hi] = pa;
                }
            }
            __syncthreads();
        }
    }
}

}  // namespace

struct gf_device_plan {
    gf_rank_plan plan;  // pointers into device memory
    int32_t device;
    int32_t* slot_of_column;
    int32_t* slot_token;
    double* slot_median;
    double* slot_inv_median;
    uint8_t* slot_summed;
};

__global__ void rank_encode_kernel(gf_rank_plan p, gf_cells cells, int32_t stride, int32_t* tokens,
                                   int32_t* lengths, int32_t* genes) {
    extern __shared__ unsigned char smem[];
    __shared__ int count;
    __shared__ int bad;
    const int c = blockIdx.x;
    const int64_t from = cells.indptr[c];
    const int n = static_cast<int>(cells.indptr[c + 1] - from);
    if (n > kMaxValues) {
        if (threadIdx.x == 0) {
            lengths[c] = GF_TOO_LONG;
            genes[c] = 0;
        }
        return;
    }
    const int cap = next_pow2(n < 1 ? 1 : n);
    uint64_t* keys = reinterpret_cast<uint64_t*>(smem);
    int32_t* payload = reinterpret_cast<int32_t*>(keys + cap);
    if (threadIdx.x == 0) {
        count = 0;
        bad = 0;
    }
    __syncthreads();
    // Gather expressed vocabulary genes. Order of arrival does not matter: every later step sorts by a total order.
    for (int i = threadIdx.x; i < n; i += blockDim.x) {
        double x = cells.values[from + i];
        if (!gf_valid_count(x, p.allow_non_integer)) {
            bad = 1;
            continue;
        }
        int32_t s = p.slot_of_column[cells.indices[from + i]];
        if (s >= 0 && x != 0) {
            int at = atomicAdd(&count, 1);
            // by slot, then by position in the row: summed genes add up in storage order, as the CPU does
            keys[at] = (static_cast<uint64_t>(s) << 32) | static_cast<uint32_t>(i);
            payload[at] = i;
        }
    }
    __syncthreads();
    int m = count;
    if (bad) {
        if (threadIdx.x == 0) {
            lengths[c] = GF_BAD_VALUE;
            genes[c] = 0;
        }
        return;
    }
    if (m > 0 && !(cells.n_counts[c] > 0)) {
        if (threadIdx.x == 0) {
            lengths[c] = GF_BAD_N_COUNTS;
            genes[c] = 0;
        }
        return;
    }
    const int padded = next_pow2(m < 1 ? 1 : m);
    if (p.any_summed) {
        for (int i = m + threadIdx.x; i < padded; i += blockDim.x) {
            keys[i] = ~0ull;
            payload[i] = 0x7fffffff;
        }
        __syncthreads();
        bitonic_sort(keys, payload, padded);
        if (threadIdx.x == 0) {
            // Combine runs of one slot; the run's first position carries the sum (in payload, as a marker).
            int w = 0;
            for (int i = 0; i < m;) {
                int32_t s = static_cast<int32_t>(keys[i] >> 32);
                double sum = 0;
                int j = i;
                while (j < m && static_cast<int32_t>(keys[j] >> 32) == s) {
                    sum += cells.values[from + payload[j]];
                    j++;
                }
                // keys now hold (slot, sum bits) until normalisation below
                keys[w] = static_cast<uint64_t>(__double_as_longlong(sum));
                payload[w] = s;
                w++;
                i = j;
            }
            count = w;
        }
        __syncthreads();
        m = count;
    } else {
        for (int i = threadIdx.x; i < m; i += blockDim.x) {
            int32_t pos = payload[i];
            payload[i] = static_cast<int32_t>(keys[i] >> 32);
            keys[i] = static_cast<uint64_t>(__double_as_longlong(cells.values[from + pos]));
        }
        __syncthreads();
    }
    // Normalise and key by value descending; padding sorts last.
    const double f = gf_cell_factor(p.scipy_path, p.float32, cells.n_counts[c]);
    const int padded2 = next_pow2(m < 1 ? 1 : m);
    for (int i = threadIdx.x; i < padded2; i += blockDim.x) {
        if (i < m) {
            int32_t s = payload[i];
            double x = __longlong_as_double(static_cast<long long>(keys[i]));
            keys[i] = gf_value_key(gf_normalise(p.scipy_path, p.float32, p.target_sum, x, f, p.slot_median[s],
                                                p.slot_inv_median[s]));
        } else {
            keys[i] = ~0ull;
            payload[i] = 0x7fffffff;
        }
    }
    __syncthreads();
    bitonic_sort(keys, payload, padded2);
    const int kept = m < p.max_genes ? m : p.max_genes;
    const int lead = p.cls >= 0 ? 1 : 0;
    int32_t* out = tokens + static_cast<int64_t>(c) * stride;
    for (int i = threadIdx.x; i < kept; i += blockDim.x) {
        out[lead + i] = p.slot_token[payload[i]];
    }
    if (threadIdx.x == 0) {
        if (p.cls >= 0) out[0] = p.cls;
        if (p.eos >= 0) out[lead + kept] = p.eos;
        lengths[c] = lead + kept + (p.eos >= 0 ? 1 : 0);
        genes[c] = m;
    }
}

extern "C" {

int32_t gf_cuda_device_count(void) {
    int n = 0;
    if (cudaGetDeviceCount(&n) != cudaSuccess) {
        cudaGetLastError();  // clear: no driver or no device is an answer, not an error
        return 0;
    }
    return n;
}

const char* gf_cuda_last_error(void) {
    return last_error;
}

void* gf_cuda_malloc(int64_t bytes, int32_t device) {
    void* p = nullptr;
    if (note(cudaSetDevice(device)) != 0 || note(cudaMalloc(&p, static_cast<size_t>(bytes))) != 0) {
        return nullptr;
    }
    return p;
}

void gf_cuda_free(void* p, int32_t device) {
    cudaSetDevice(device);
    note(cudaFree(p));
}

void* gf_cuda_host_alloc(int64_t bytes) {
    void* p = nullptr;
    if (note(cudaMallocHost(&p, static_cast<size_t>(bytes))) != 0) {
        return nullptr;
    }
    return p;
}

void gf_cuda_host_free(void* p) {
    note(cudaFreeHost(p));
}

void* gf_cuda_stream_create(int32_t device) {
    cudaStream_t s = nullptr;
    if (note(cudaSetDevice(device)) != 0 || note(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking)) != 0) {
        return nullptr;
    }
    return s;
}

void gf_cuda_stream_destroy(void* stream) {
    note(cudaStreamDestroy(static_cast<cudaStream_t>(stream)));
}

int32_t gf_cuda_stream_sync(void* stream) {
    return note(cudaStreamSynchronize(static_cast<cudaStream_t>(stream)));
}

int32_t gf_cuda_copy_h2d(void* dst, const void* src, int64_t bytes, void* stream) {
    return note(cudaMemcpyAsync(dst, src, static_cast<size_t>(bytes), cudaMemcpyHostToDevice,
                                static_cast<cudaStream_t>(stream)));
}

int32_t gf_cuda_copy_d2h(void* dst, const void* src, int64_t bytes, void* stream) {
    return note(cudaMemcpyAsync(dst, src, static_cast<size_t>(bytes), cudaMemcpyDeviceToHost,
                                static_cast<cudaStream_t>(stream)));
}

int32_t gf_cuda_max_cell_values(void) {
    return kMaxValues;
}

gf_device_plan* gf_cuda_plan_create(const gf_rank_plan* plan, int32_t device) {
    gf_device_plan* d = new gf_device_plan();
    d->plan = *plan;
    d->device = device;
    bool ok = note(cudaSetDevice(device)) == 0
        && note(cudaMalloc(&d->slot_of_column, sizeof(int32_t) * (plan->n_columns > 0 ? plan->n_columns : 1))) == 0
        && note(cudaMalloc(&d->slot_token, sizeof(int32_t) * (plan->n_slots > 0 ? plan->n_slots : 1))) == 0
        && note(cudaMalloc(&d->slot_median, sizeof(double) * (plan->n_slots > 0 ? plan->n_slots : 1))) == 0
        && note(cudaMalloc(&d->slot_inv_median, sizeof(double) * (plan->n_slots > 0 ? plan->n_slots : 1))) == 0
        && note(cudaMalloc(&d->slot_summed, plan->n_slots > 0 ? plan->n_slots : 1)) == 0
        && note(cudaMemcpy(d->slot_of_column, plan->slot_of_column, sizeof(int32_t) * plan->n_columns, cudaMemcpyHostToDevice)) == 0
        && note(cudaMemcpy(d->slot_token, plan->slot_token, sizeof(int32_t) * plan->n_slots, cudaMemcpyHostToDevice)) == 0
        && note(cudaMemcpy(d->slot_median, plan->slot_median, sizeof(double) * plan->n_slots, cudaMemcpyHostToDevice)) == 0
        && note(cudaMemcpy(d->slot_inv_median, plan->slot_inv_median, sizeof(double) * plan->n_slots, cudaMemcpyHostToDevice)) == 0
        && note(cudaMemcpy(d->slot_summed, plan->slot_summed, plan->n_slots, cudaMemcpyHostToDevice)) == 0
        && note(cudaFuncSetAttribute(rank_encode_kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, kMaxValues * 12)) == 0;
    d->plan.slot_of_column = d->slot_of_column;
    d->plan.slot_token = d->slot_token;
    d->plan.slot_median = d->slot_median;
    d->plan.slot_inv_median = d->slot_inv_median;
    d->plan.slot_summed = d->slot_summed;
    if (!ok) {
        gf_cuda_plan_destroy(d);
        return nullptr;
    }
    return d;
}

void gf_cuda_plan_destroy(gf_device_plan* d) {
    if (d == nullptr) return;
    cudaSetDevice(d->device);
    cudaFree(d->slot_of_column);
    cudaFree(d->slot_token);
    cudaFree(d->slot_median);
    cudaFree(d->slot_inv_median);
    cudaFree(d->slot_summed);
    delete d;
}

int32_t gf_cuda_rank_encode(const gf_device_plan* plan, const gf_cells* device_cells, int32_t max_cell_values,
                            int32_t stride, int32_t* tokens, int32_t* lengths, int32_t* genes, void* stream) {
    if (device_cells->n_cells == 0) return 0;
    int cap = next_pow2(max_cell_values < 1 ? 1 : (max_cell_values > kMaxValues ? kMaxValues : max_cell_values));
    size_t shared = static_cast<size_t>(cap) * 12;
    rank_encode_kernel<<<device_cells->n_cells, kThreads, shared, static_cast<cudaStream_t>(stream)>>>(
        plan->plan, *device_cells, stride, tokens, lengths, genes);
    return note(cudaGetLastError());
}

}  // extern "C"
