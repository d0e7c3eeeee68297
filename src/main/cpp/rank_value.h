// The arithmetic both encoders share, so the kernel and its CPU twin cannot drift apart: one normalisation
// (upstream's numpy/scipy steps for the input's dtypes) and one order (value descending, slot ascending).
#ifndef GENEFORMER_RANK_VALUE_H
#define GENEFORMER_RANK_VALUE_H

#include <stdint.h>
#include <string.h>
#include "geneformer_native.h"

#ifdef __CUDACC__
#define GF_HD __host__ __device__ __forceinline__
#else
#define GF_HD inline
#endif

/* The per-cell factor: 1/n for the scipy path, n itself for numpy's division (Normalization.cellFactor). */
GF_HD double gf_cell_factor(int32_t scipy_path, int32_t float32, double n_counts) {
    if (scipy_path) {
        return float32 ? (double)(1.0f / (float)n_counts) : 1.0 / n_counts;
    }
    return float32 ? (double)(float)n_counts : n_counts;
}

/* Normalised value of count x (Normalization.value). */
GF_HD double gf_normalise(int32_t scipy_path, int32_t float32, double target_sum, double x, double factor,
                          double median, double inv_median) {
    if (scipy_path) {
        if (float32) {
            float p = (float)x * (float)factor;
            return (double)(p * (float)target_sum) * inv_median;
        }
        return x * factor * target_sum * inv_median;
    }
    if (float32) {
        float p = (float)x / (float)factor;
        return (double)(p * (float)target_sum) / median;
    }
    return x / factor * target_sum / median;
}

/* A stored count upstream accepts: finite, non-negative, and an integer unless allowed otherwise. */
GF_HD int gf_valid_count(double x, int32_t allow_non_integer) {
    if (!(x >= 0) || x > 1.7976931348623157e308) {
        return 0;
    }
    // every double from 2^52 up is an integer; below it the cast is exact
    return allow_non_integer || x >= 4503599627370496.0 || x == (double)(int64_t)x;
}

/* Sort key: ascending order of the key is descending value, then ascending slot. Values are positive. */
GF_HD uint64_t gf_value_key(double v) {
    uint64_t bits;
#ifdef __CUDA_ARCH__
    bits = (uint64_t)__double_as_longlong(v);
#else
    memcpy(&bits, &v, sizeof bits);
#endif
    return ~bits;
}

#endif
