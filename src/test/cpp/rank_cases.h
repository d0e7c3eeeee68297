// Test helpers: a plan and CSR blocks built in plain vectors, edge cases, and random blocks.
#ifndef GENEFORMER_RANK_CASES_H
#define GENEFORMER_RANK_CASES_H

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "geneformer_native.h"

struct Plan {
    std::vector<int32_t> slot_of_column, slot_token;
    std::vector<double> median, inv_median;
    std::vector<uint8_t> summed;
    gf_rank_plan p{};

    // columns map to slots col % n_slots (so columns >= n_slots are summed into earlier slots when summing);
    // column 3 is outside the vocabulary
    Plan(int columns, int slots, bool summing, int max_genes, bool special, bool scipy, bool f32, unsigned seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> med(0.5, 20.0);
        for (int c = 0; c < columns; c++) {
            slot_of_column.push_back(c == 3 ? -1 : (summing ? c % slots : (c < slots ? c : -1)));
        }
        for (int s = 0; s < slots; s++) {
            slot_token.push_back(4 + s);
            median.push_back(s % 7 == 0 ? 2.0 : med(rng));  // shared medians make ties
            inv_median.push_back(1.0 / median.back());
            summed.push_back(summing && s + slots < columns ? 1 : 0);
        }
        p.n_columns = columns;
        p.n_slots = slots;
        p.slot_of_column = slot_of_column.data();
        p.slot_token = slot_token.data();
        p.slot_median = median.data();
        p.slot_inv_median = inv_median.data();
        p.slot_summed = summed.data();
        p.any_summed = 0;
        for (uint8_t b : summed) p.any_summed |= b;
        p.scipy_path = scipy ? 1 : 0;
        p.float32 = f32 ? 1 : 0;
        p.target_sum = 10000;
        p.max_genes = max_genes;
        p.cls = special ? 2 : -1;
        p.eos = special ? 3 : -1;
        p.allow_non_integer = 0;
    }
};

struct Block {
    std::vector<int64_t> indptr{0};
    std::vector<int32_t> indices;
    std::vector<double> values;
    std::vector<double> n_counts;

    void add(const std::vector<std::pair<int, double>>& cell, double n) {
        for (auto& e : cell) {
            indices.push_back(e.first);
            values.push_back(e.second);
        }
        indptr.push_back(static_cast<int64_t>(indices.size()));
        n_counts.push_back(n);
    }

    gf_cells view() const {
        return gf_cells{static_cast<int32_t>(n_counts.size()), indptr.data(), indices.data(), values.data(), n_counts.data()};
    }

    size_t cells() const { return n_counts.size(); }
};

// A random cell: `genes` distinct columns (in shuffled storage order), counts mostly small (many ties)
inline void add_random(Block& b, std::mt19937& rng, int columns, int genes) {
    std::vector<int> cols(columns);
    for (int c = 0; c < columns; c++) cols[c] = c;
    std::shuffle(cols.begin(), cols.end(), rng);
    std::geometric_distribution<int> count(0.3);
    std::vector<std::pair<int, double>> cell;
    double total = 0;
    for (int i = 0; i < genes && i < columns; i++) {
        double x = 1 + count(rng);
        cell.push_back({cols[i], x});
        total += x;
    }
    b.add(cell, total + 7);  // n_counts is over all genes, not only the stored ones
}

struct Output {
    std::vector<int32_t> tokens, lengths, genes;
    int32_t stride;
    explicit Output(const Block& b, int32_t stride_) : tokens(b.cells() * stride_, -9), lengths(b.cells()), genes(b.cells()), stride(stride_) {}
    std::vector<int32_t> cell(size_t c) const {
        if (lengths[c] < 0) return {lengths[c]};
        return std::vector<int32_t>(tokens.begin() + c * stride, tokens.begin() + c * stride + lengths[c]);
    }
};

inline int failures = 0;

inline void expect(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAIL: %s\n", what.c_str());
        failures++;
    }
}

inline std::string str(const std::vector<int32_t>& v) {
    std::string s = "[";
    for (size_t i = 0; i < v.size(); i++) s += (i ? "," : "") + std::to_string(v[i]);
    return s + "]";
}

#endif
