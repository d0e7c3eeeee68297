// Throughput of the fused kernel: cells/s with the block already on the device (kernel alone) and with the host to
// device copies (end to end, one stream), against the CPU twin on one core, on the same cells.
// Usage: bench_rank_encode [cells=1000000] [mean_genes=1500]
#include <chrono>

#include "gpu_run.h"

int main(int argc, char** argv) {
    long cells = argc > 1 ? std::atol(argv[1]) : 1000000;
    int mean = argc > 2 ? std::atoi(argv[2]) : 1500;
    if (gf_cuda_device_count() == 0) {
        std::printf("no CUDA device\n");
        return 77;
    }
    Plan plan(20000, 20000, false, 4096, true, true, true, 3);
    std::mt19937 rng(1);
    std::uniform_int_distribution<int> len(mean / 3, mean * 5 / 3);
    const long block = 100000;
    Block b;
    for (long c = 0; c < block; c++) add_random(b, rng, 20000, len(rng));
    void* stream = gf_cuda_stream_create(0);
    gf_device_plan* dp = gf_cuda_plan_create(&plan.p, 0);
    Output warm = run_gpu(dp, plan, b, stream);
    // kernel alone: the block stays on the device, launched cells/block times
    DeviceBlock d;
    d.indptr = upload(b.indptr.data(), b.indptr.size() * 8, stream);
    d.indices = upload(b.indices.data(), b.indices.size() * 4, stream);
    d.values = upload(b.values.data(), b.values.size() * 8, stream);
    d.n_counts = upload(b.n_counts.data(), b.n_counts.size() * 8, stream);
    d.tokens = gf_cuda_malloc(static_cast<int64_t>(block) * warm.stride * 4, 0);
    d.lengths = gf_cuda_malloc(block * 4, 0);
    d.genes = gf_cuda_malloc(block * 4, 0);
    gf_cells dc{static_cast<int32_t>(block), static_cast<int64_t*>(d.indptr), static_cast<int32_t*>(d.indices),
                static_cast<double*>(d.values), static_cast<double*>(d.n_counts)};
    gf_cuda_stream_sync(stream);
    auto t0 = std::chrono::steady_clock::now();
    long reps = std::max(1L, cells / block);
    for (long r = 0; r < reps; r++) {
        gf_cuda_rank_encode(dp, &dc, max_cell_values(b), warm.stride, static_cast<int32_t*>(d.tokens),
                            static_cast<int32_t*>(d.lengths), static_cast<int32_t*>(d.genes), stream);
    }
    gf_cuda_stream_sync(stream);
    double kernel = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    auto t1 = std::chrono::steady_clock::now();
    for (long r = 0; r < reps; r++) run_gpu(dp, plan, b, stream);
    double e2e = std::chrono::duration<double>(std::chrono::steady_clock::now() - t1).count();
    auto t2 = std::chrono::steady_clock::now();
    Output cpu = run_cpu(plan, b);
    double cpuSecs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t2).count();
    // cells with more stored values than the kernel's shared memory holds are left to the CPU by design (the Java
    // tokenizer encodes them there); only the others are the kernel's to match
    long same = 0, cpuCells = 0;
    for (long c = 0; c < block; c++) {
        if (b.indptr[c + 1] - b.indptr[c] > gf_cuda_max_cell_values()) {
            cpuCells++;
        } else {
            same += cpu.cell(c) == warm.cell(c);
        }
    }
    std::printf("cells %ld (mean %d stored genes), tokens identical to the CPU twin: %ld/%ld (%ld over %d values left to the CPU)\n",
                reps * block, mean, same, block - cpuCells, cpuCells, gf_cuda_max_cell_values());
    std::printf("kernel alone:          %.0f cells/s\n", reps * block / kernel);
    std::printf("with copies (1 stream): %.0f cells/s (includes allocation per block)\n", reps * block / e2e);
    std::printf("CPU twin, one core:     %.0f cells/s\n", block / cpuSecs);
    gf_cuda_plan_destroy(dp);
    gf_cuda_stream_destroy(stream);
    return same == block - cpuCells ? 0 : 1;
}
