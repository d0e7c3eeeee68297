// Dequantization of quantized linear weights (org.geneformer4j.quant): int8 with one scale per output row, and
// bitsandbytes' NF4 with double-quantized absmaxes. A CPU twin and CUDA kernels that give the same bits as each
// other and as the Java reference (Nf4.dequantize, Int8Weights.dequantize): every value is one float32 multiply
// (NF4's absmax one multiply and one add), no fused multiply-add on either side. A plain C ABI, as the rest of
// the native layer.
#ifndef GENEFORMER_DEQUANT_H
#define GENEFORMER_DEQUANT_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define GF_NF4_BLOCK 64
#define GF_NF4_NESTED_BLOCK 256

/* The 16 NormalFloat values (bitsandbytes' get_4bit_type("nf4")). */
extern const float gf_nf4_code[16];

/* out[r * cols + c] = codes[r * cols + c] * scales[r]. */
void gf_dequant_int8_cpu(const int8_t* codes, const float* scales, int64_t rows, int64_t cols, float* out);

/*
 * NF4 weight of n values: packed holds two 4-bit codes a byte, the first in the high nibble; absmax_codes one
 * 8-bit code per 64 values into dynamic_map (256 floats, bitsandbytes' signed dynamic map); absmax2 one float per
 * 256 of those; offset the mean subtracted before they were quantized. out[i] = nf4[code_i] * absmax[i / 64] with
 * absmax[b] = dynamic_map[absmax_codes[b]] * absmax2[b / 256] + offset.
 */
void gf_dequant_nf4_cpu(const uint8_t* packed, const uint8_t* absmax_codes, const float* absmax2, float offset,
                        const float* dynamic_map, int64_t n, float* out);

/* ---- CUDA: the same on device pointers, asynchronous on `stream` (NULL: the default stream); 0 or a CUDA error. */
int32_t gf_cuda_dequant_int8(const int8_t* codes, const float* scales, int64_t rows, int64_t cols, float* out,
                             void* stream);
int32_t gf_cuda_dequant_nf4(const uint8_t* packed, const uint8_t* absmax_codes, const float* absmax2, float offset,
                            const float* dynamic_map, int64_t n, float* out, void* stream);

#ifdef __cplusplus
}
#endif

#endif
