// The dequantization CPU twin against the reference: NF4 weights of the numpy/Java reference fixture come back
// bit for bit (a zero block, midpoints, an odd count included), and int8 codes times their row's scale.
// (Agreement of the CUDA kernels with this twin is test_dequant_cuda's.)
#include "dequant_fixture.h"

int main() {
    std::vector<float> map = dynamic_map();
    for (const Nf4Case& c : nf4_cases()) {
        std::vector<float> out(static_cast<size_t>(c.n));
        gf_dequant_nf4_cpu(c.packed.data(), c.absmax_codes.data(), c.absmax2.data(), c.offset, map.data(), c.n, out.data());
        size_t at = 0;
        expect(same_bits(out, c.expected, &at), "nf4 " + c.name + ": value " + std::to_string(at) + " differs from the reference");
        std::printf("nf4 %s: %lld values identical to the reference\n", c.name.c_str(), static_cast<long long>(c.n));
    }
    // int8: rows scaled independently; the largest code of a row gives back its absmax
    const int8_t codes[6] = {127, -64, 0, -127, 1, 32};
    const float scales[2] = {1.0f / 127, 0.5f};
    float out[6];
    gf_dequant_int8_cpu(codes, scales, 2, 3, out);
    expect(out[0] == 127 * (1.0f / 127) && out[1] == -64 * (1.0f / 127) && out[2] == 0.0f, "int8 row 0");
    expect(out[3] == -63.5f && out[4] == 0.5f && out[5] == 16.0f, "int8 row 1");
    std::printf("int8: hand cases identical\n");
    return 0;
}
