// The fused kernel against its CPU twin: every token of every cell identical, on edge cases (empty cells, one
// gene, all genes tied, cells longer than the input size, summed columns, bad counts) and on random blocks for
// both of upstream's arithmetic paths, float32 and float64. Needs a GPU (exit 77, skipped, without one).
#include "gpu_run.h"

static void compare(const char* name, const Plan& plan, const Block& b, void* stream) {
    gf_device_plan* dp = gf_cuda_plan_create(&plan.p, 0);
    if (dp == nullptr) {
        std::fprintf(stderr, "plan: %s\n", gf_cuda_last_error());
        std::exit(2);
    }
    Output gpu = run_gpu(dp, plan, b, stream);
    Output cpu = run_cpu(plan, b);
    size_t differ = 0;
    for (size_t c = 0; c < b.cells(); c++) {
        bool tooLong = b.indptr[c + 1] - b.indptr[c] > gf_cuda_max_cell_values();
        if (tooLong) {
            expect(gpu.lengths[c] == GF_TOO_LONG, std::string(name) + ": a cell over the kernel's limit is left to the CPU");
            continue;
        }
        if (gpu.cell(c) != cpu.cell(c) || gpu.genes[c] != cpu.genes[c]) {
            if (differ++ < 3) {
                std::fprintf(stderr, "%s cell %zu: gpu %s cpu %s\n", name, c, str(gpu.cell(c)).c_str(), str(cpu.cell(c)).c_str());
            }
        }
    }
    expect(differ == 0, std::string(name) + ": " + std::to_string(differ) + " of " + std::to_string(b.cells()) + " cells differ");
    std::printf("%s: %zu cells compared\n", name, b.cells());
    gf_cuda_plan_destroy(dp);
}

int main() {
    if (gf_cuda_device_count() == 0) {
        std::printf("no CUDA device: skipped\n");
        return 77;
    }
    void* stream = gf_cuda_stream_create(0);
    std::mt19937 rng(7);
    Plan edge(10, 8, false, 3, true, true, false, 1);
    Block e;
    e.add({}, 10);
    e.add({{5, 4}}, 10);
    e.add({{6, 2}, {1, 2}, {4, 2}}, 10);
    e.add({{0, 1}, {1, 5}, {2, 3}, {4, 9}, {5, 2}}, 30);
    e.add({{3, 50}, {2, 0}, {7, 1}}, 60);
    e.add({{2, -1}}, 10);
    e.add({{2, 1.5}}, 10);
    e.add({{2, 1}}, 0);
    compare("edge cases", edge, e, stream);
    for (int scipy = 0; scipy < 2; scipy++) {
        for (int f32 = 0; f32 < 2; f32++) {
            for (int summing = 0; summing < 2; summing++) {
                Plan p(20000, summing ? 18000 : 20000, summing, 2048, scipy == 1, scipy == 1, f32 == 1, 11u + scipy * 4 + f32 * 2 + summing);
                Block b;
                std::uniform_int_distribution<int> len(0, 6000);
                for (int c = 0; c < 3000; c++) add_random(b, rng, 20000, c == 0 ? 9000 : len(rng));
                std::string name = std::string("random ") + (scipy ? "scipy" : "numpy") + (f32 ? " float32" : " float64")
                    + (summing ? " summed" : "");
                compare(name.c_str(), p, b, stream);
            }
        }
    }
    gf_cuda_stream_destroy(stream);
    if (failures == 0) std::printf("test_rank_encode_cuda: kernel and CPU twin agree\n");
    return failures == 0 ? 0 : 1;
}
