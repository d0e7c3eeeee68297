// Dequantization kernels for int8 and NF4 weights; their CPU twin is dequant_cpu.cpp, and
// src/test/cpp/test_dequant_cuda.cpp compares the two bit for bit. Compiled with -fmad=false (GeneformerCuda.cmake):
// NF4's absmax is a multiply then an add, as on the CPU.
#include <cuda_runtime.h>

#include "dequant.h"

namespace {

__constant__ float nf4_code[16];
bool nf4_code_ready[64] = {};  // per device: the constant table is per device

constexpr int kThreads = 256;

int blocks_for(int64_t work) {
    int64_t b = (work + kThreads - 1) / kThreads;
    // a grid-stride loop covers the rest; 65,535 x 256 threads keep any GPU busy
    return static_cast<int>(b < 65535 ? (b > 0 ? b : 1) : 65535);
}

__global__ void dequant_int8_kernel(const int8_t* codes, const float* scales, int64_t rows, int64_t cols, float* out) {
    const int64_t n = rows * cols;
    for (int64_t i = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; i < n;
         i += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        out[i] = static_cast<float>(codes[i]) * scales[i / cols];
    }
}

// One thread per packed byte: its two weights share a 64-block (64 is even), so one absmax serves both.
__global__ void dequant_nf4_kernel(const uint8_t* packed, const uint8_t* absmax_codes, const float* absmax2, float offset,
                                   const float* dynamic_map, int64_t n, float* out) {
    const int64_t bytes = (n + 1) / 2;
    for (int64_t j = blockIdx.x * static_cast<int64_t>(blockDim.x) + threadIdx.x; j < bytes;
         j += static_cast<int64_t>(gridDim.x) * blockDim.x) {
        const int64_t i = 2 * j;
        const int64_t b = i / GF_NF4_BLOCK;
        const float absmax = __fmul_rn(dynamic_map[absmax_codes[b]], absmax2[b / GF_NF4_NESTED_BLOCK]) + offset;
        const uint8_t byte = packed[j];
        out[i] = nf4_code[byte >> 4] * absmax;
        if (i + 1 < n) {
            out[i + 1] = nf4_code[byte & 15] * absmax;
        }
    }
}

int32_t ensure_code_table() {
    int device = 0;
    cudaError_t e = cudaGetDevice(&device);
    if (e != cudaSuccess) return static_cast<int32_t>(e);
    if (device < 64 && !nf4_code_ready[device]) {
        e = cudaMemcpyToSymbol(nf4_code, gf_nf4_code, sizeof(float) * 16);
        if (e != cudaSuccess) return static_cast<int32_t>(e);
        nf4_code_ready[device] = true;
    }
    return 0;
}

}  // namespace

extern "C" {

int32_t gf_cuda_dequant_int8(const int8_t* codes, const float* scales, int64_t rows, int64_t cols, float* out,
                             void* stream) {
    if (rows * cols == 0) return 0;
    dequant_int8_kernel<<<blocks_for(rows * cols), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(codes, scales, rows,
                                                                                                    cols, out);
    return static_cast<int32_t>(cudaGetLastError());
}

int32_t gf_cuda_dequant_nf4(const uint8_t* packed, const uint8_t* absmax_codes, const float* absmax2, float offset,
                            const float* dynamic_map, int64_t n, float* out, void* stream) {
    if (n == 0) return 0;
    int32_t e = ensure_code_table();
    if (e != 0) return e;
    dequant_nf4_kernel<<<blocks_for((n + 1) / 2), kThreads, 0, static_cast<cudaStream_t>(stream)>>>(
        packed, absmax_codes, absmax2, offset, dynamic_map, n, out);
    return static_cast<int32_t>(cudaGetLastError());
}

}  // extern "C"
