// The dequantization kernels against their CPU twin, bit for bit: the NF4 reference fixture and random weights
// (sizes that leave partial 64- and 256-blocks and an odd count; absmax codes over the whole map), and random int8
// rows. Needs a GPU (exit 77, skipped, without one).
#include <cuda_runtime.h>

#include <random>

#include "dequant_fixture.h"

template <typename T>
static T* upload(const std::vector<T>& v) {
    T* d = nullptr;
    expect(cudaMalloc(&d, std::max<size_t>(v.size(), 1) * sizeof(T)) == cudaSuccess, "cudaMalloc");
    if (!v.empty()) expect(cudaMemcpy(d, v.data(), v.size() * sizeof(T), cudaMemcpyHostToDevice) == cudaSuccess, "copy");
    return d;
}

static std::vector<float> nf4_gpu(const Nf4Case& c, const float* map_d) {
    uint8_t* p = upload(c.packed);
    uint8_t* a = upload(c.absmax_codes);
    float* a2 = upload(c.absmax2);
    float* out = nullptr;
    expect(cudaMalloc(&out, static_cast<size_t>(c.n) * 4) == cudaSuccess, "cudaMalloc");
    expect(gf_cuda_dequant_nf4(p, a, a2, c.offset, map_d, c.n, out, nullptr) == 0, "nf4 kernel launch");
    std::vector<float> host(static_cast<size_t>(c.n));
    expect(cudaMemcpy(host.data(), out, host.size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess, "nf4 kernel ran");
    cudaFree(p);
    cudaFree(a);
    cudaFree(a2);
    cudaFree(out);
    return host;
}

int main() {
    int devices = 0;
    if (cudaGetDeviceCount(&devices) != cudaSuccess || devices == 0) {
        std::printf("no CUDA device: skipped\n");
        return 77;
    }
    std::vector<float> map = dynamic_map();
    float* map_d = upload(map);
    std::vector<Nf4Case> cases = nf4_cases();
    std::mt19937 rng(17);
    for (int64_t n : {int64_t{1}, int64_t{63}, int64_t{64 * 256 + 65}, int64_t{3072 * 768}, int64_t{1000001}}) {
        Nf4Case c;
        c.name = "random " + std::to_string(n);
        c.n = n;
        int64_t blocks = (n + 63) / 64;
        c.packed.resize(static_cast<size_t>((n + 1) / 2));
        c.absmax_codes.resize(static_cast<size_t>(blocks));
        c.absmax2.resize(static_cast<size_t>((blocks + 255) / 256));
        for (auto& b : c.packed) b = static_cast<uint8_t>(rng());
        for (auto& b : c.absmax_codes) b = static_cast<uint8_t>(rng());
        for (auto& f : c.absmax2) f = std::uniform_real_distribution<float>(0.001f, 0.5f)(rng);
        c.offset = 0.0371f;
        c.expected.resize(static_cast<size_t>(n));
        gf_dequant_nf4_cpu(c.packed.data(), c.absmax_codes.data(), c.absmax2.data(), c.offset, map.data(), n, c.expected.data());
        cases.push_back(c);
    }
    for (const Nf4Case& c : cases) {
        std::vector<float> gpu = nf4_gpu(c, map_d);
        size_t at = 0;
        expect(same_bits(gpu, c.expected, &at), "nf4 " + c.name + ": value " + std::to_string(at) + " differs");
        std::printf("nf4 %s: %lld values identical\n", c.name.c_str(), static_cast<long long>(c.n));
    }
    for (int64_t rows : {int64_t{1}, int64_t{768}, int64_t{3072}}) {
        int64_t cols = rows == 3072 ? 768 : 1031;
        std::vector<int8_t> codes(static_cast<size_t>(rows * cols));
        std::vector<float> scales(static_cast<size_t>(rows));
        for (auto& v : codes) v = static_cast<int8_t>(static_cast<int>(rng() % 255) - 127);
        for (auto& s : scales) s = std::uniform_real_distribution<float>(1e-5f, 0.01f)(rng);
        std::vector<float> cpu(codes.size()), gpu(codes.size());
        gf_dequant_int8_cpu(codes.data(), scales.data(), rows, cols, cpu.data());
        int8_t* cd = upload(codes);
        float* sd = upload(scales);
        float* od = nullptr;
        expect(cudaMalloc(&od, gpu.size() * 4) == cudaSuccess, "cudaMalloc");
        expect(gf_cuda_dequant_int8(cd, sd, rows, cols, od, nullptr) == 0, "int8 kernel launch");
        expect(cudaMemcpy(gpu.data(), od, gpu.size() * 4, cudaMemcpyDeviceToHost) == cudaSuccess, "int8 kernel ran");
        size_t at = 0;
        expect(same_bits(gpu, cpu, &at), "int8 " + std::to_string(rows) + " rows: value " + std::to_string(at) + " differs");
        std::printf("int8 %lld x %lld: identical\n", static_cast<long long>(rows), static_cast<long long>(cols));
        cudaFree(cd);
        cudaFree(sd);
        cudaFree(od);
    }
    cudaFree(map_d);
    return 0;
}
