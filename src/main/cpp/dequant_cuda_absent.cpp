// The dequantization kernels of a library built without CUDA: every call refused (the CPU twin still works).
#include "dequant.h"

extern "C" {
int32_t gf_cuda_dequant_int8(const int8_t*, const float*, int64_t, int64_t, float*, void*) { return 1; }
int32_t gf_cuda_dequant_nf4(const uint8_t*, const uint8_t*, const float*, float, const float*, int64_t, float*, void*) {
    return 1;
}
}
