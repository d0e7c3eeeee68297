// The CUDA entry points of a library built without CUDA: no device, nothing allocated, every call refused.
#include "geneformer_native.h"

extern "C" {
int32_t gf_cuda_device_count(void) { return 0; }
const char* gf_cuda_last_error(void) { return "geneformer_native was built without CUDA"; }
void* gf_cuda_malloc(int64_t, int32_t) { return nullptr; }
void gf_cuda_free(void*, int32_t) {}
void* gf_cuda_host_alloc(int64_t) { return nullptr; }
void gf_cuda_host_free(void*) {}
void* gf_cuda_stream_create(int32_t) { return nullptr; }
void gf_cuda_stream_destroy(void*) {}
int32_t gf_cuda_stream_sync(void*) { return 1; }
int32_t gf_cuda_copy_h2d(void*, const void*, int64_t, void*) { return 1; }
int32_t gf_cuda_copy_d2h(void*, const void*, int64_t, void*) { return 1; }
gf_device_plan* gf_cuda_plan_create(const gf_rank_plan*, int32_t) { return nullptr; }
void gf_cuda_plan_destroy(gf_device_plan*) {}
int32_t gf_cuda_max_cell_values(void) { return 0; }
int32_t gf_cuda_rank_encode(const gf_device_plan*, const gf_cells*, int32_t, int32_t, int32_t*, int32_t*, int32_t*, void*) {
    return 1;
}
}
