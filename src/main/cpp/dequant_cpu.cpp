// CPU twin of the dequantization kernels (dequant_cuda.cu). Built with -ffp-contract=off: a multiply followed by
// an add must not become one fused operation, or the absmaxes would round differently from the kernel's and
// from Java's.
#include "dequant.h"

extern "C" {

const float gf_nf4_code[16] = {-1.0f, -0.6961928009986877f, -0.5250730514526367f, -0.39491748809814453f,
                               -0.28444138169288635f, -0.18477343022823334f, -0.09105003625154495f, 0.0f,
                               0.07958029955625534f, 0.16093020141124725f, 0.24611230194568634f,
                               0.33791524171829224f, 0.44070982933044434f, 0.5626170039176941f,
                               0.7229568362236023f, 1.0f};

void gf_dequant_int8_cpu(const int8_t* codes, const float* scales, int64_t rows, int64_t cols, float* out) {
    for (int64_t r = 0; r < rows; r++) {
        const float s = scales[r];
        for (int64_t c = 0; c < cols; c++) {
            out[r * cols + c] = static_cast<float>(codes[r * cols + c]) * s;
        }
    }
}

void gf_dequant_nf4_cpu(const uint8_t* packed, const uint8_t* absmax_codes, const float* absmax2, float offset,
                        const float* dynamic_map, int64_t n, float* out) {
    const int64_t blocks = (n + GF_NF4_BLOCK - 1) / GF_NF4_BLOCK;
    for (int64_t b = 0; b < blocks; b++) {
        const float absmax = dynamic_map[absmax_codes[b]] * absmax2[b / GF_NF4_NESTED_BLOCK] + offset;
        const int64_t end = (b + 1) * GF_NF4_BLOCK < n ? (b + 1) * GF_NF4_BLOCK : n;
        for (int64_t i = b * GF_NF4_BLOCK; i < end; i++) {
            const uint8_t byte = packed[i >> 1];
            const int code = (i & 1) == 0 ? byte >> 4 : byte & 15;
            out[i] = gf_nf4_code[code] * absmax;
        }
    }
}

}  // extern "C"
