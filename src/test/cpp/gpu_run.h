// Runs the fused kernel on a host block through the library's own allocation and copy calls.
#ifndef GENEFORMER_GPU_RUN_H
#define GENEFORMER_GPU_RUN_H

#include <algorithm>

#include "rank_cases.h"

struct DeviceBlock {
    void* indptr = nullptr;
    void* indices = nullptr;
    void* values = nullptr;
    void* n_counts = nullptr;
    void* tokens = nullptr;
    void* lengths = nullptr;
    void* genes = nullptr;

    ~DeviceBlock() {
        for (void* p : {indptr, indices, values, n_counts, tokens, lengths, genes}) {
            if (p) gf_cuda_free(p, 0);
        }
    }
};

inline void* upload(const void* src, size_t bytes, void* stream) {
    void* d = gf_cuda_malloc(static_cast<int64_t>(std::max<size_t>(bytes, 8)), 0);
    if (d == nullptr) {
        std::fprintf(stderr, "cudaMalloc: %s\n", gf_cuda_last_error());
        std::exit(2);
    }
    if (bytes > 0) gf_cuda_copy_h2d(d, src, static_cast<int64_t>(bytes), stream);
    return d;
}

inline int max_cell_values(const Block& b) {
    int64_t m = 0;
    for (size_t c = 0; c + 1 < b.indptr.size(); c++) m = std::max(m, b.indptr[c + 1] - b.indptr[c]);
    return static_cast<int>(m);
}

inline Output run_gpu(const gf_device_plan* plan, const Plan& hp, const Block& b, void* stream) {
    Output o(b, hp.p.max_genes + 2);
    DeviceBlock d;
    d.indptr = upload(b.indptr.data(), b.indptr.size() * sizeof(int64_t), stream);
    d.indices = upload(b.indices.data(), b.indices.size() * sizeof(int32_t), stream);
    d.values = upload(b.values.data(), b.values.size() * sizeof(double), stream);
    d.n_counts = upload(b.n_counts.data(), b.n_counts.size() * sizeof(double), stream);
    d.tokens = upload(nullptr, 0, stream);
    gf_cuda_free(d.tokens, 0);
    d.tokens = gf_cuda_malloc(static_cast<int64_t>(o.tokens.size() * sizeof(int32_t) + 8), 0);
    d.lengths = gf_cuda_malloc(static_cast<int64_t>(b.cells() * sizeof(int32_t) + 8), 0);
    d.genes = gf_cuda_malloc(static_cast<int64_t>(b.cells() * sizeof(int32_t) + 8), 0);
    gf_cells cells{static_cast<int32_t>(b.cells()), static_cast<int64_t*>(d.indptr), static_cast<int32_t*>(d.indices),
                   static_cast<double*>(d.values), static_cast<double*>(d.n_counts)};
    if (gf_cuda_rank_encode(plan, &cells, max_cell_values(b), o.stride, static_cast<int32_t*>(d.tokens),
                            static_cast<int32_t*>(d.lengths), static_cast<int32_t*>(d.genes), stream) != 0) {
        std::fprintf(stderr, "kernel launch: %s\n", gf_cuda_last_error());
        std::exit(2);
    }
    gf_cuda_copy_d2h(o.tokens.data(), d.tokens, static_cast<int64_t>(o.tokens.size() * sizeof(int32_t)), stream);
    gf_cuda_copy_d2h(o.lengths.data(), d.lengths, static_cast<int64_t>(b.cells() * sizeof(int32_t)), stream);
    gf_cuda_copy_d2h(o.genes.data(), d.genes, static_cast<int64_t>(b.cells() * sizeof(int32_t)), stream);
    if (gf_cuda_stream_sync(stream) != 0) {
        std::fprintf(stderr, "kernel: %s\n", gf_cuda_last_error());
        std::exit(2);
    }
    return o;
}

inline Output run_cpu(const Plan& hp, const Block& b) {
    Output o(b, hp.p.max_genes + 2);
    gf_cells v = b.view();
    gf_rank_encode_cpu(&hp.p, &v, o.stride, o.tokens.data(), o.lengths.data(), o.genes.data());
    return o;
}

#endif
