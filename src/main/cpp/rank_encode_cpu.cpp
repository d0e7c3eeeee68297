// CPU twin of the fused kernel: the same contract and arithmetic, written plainly. It is the reference the CUDA
// kernel is tested against, and the fallback for cells too long for the kernel's shared memory.
#include <algorithm>
#include <vector>

#include "geneformer_native.h"
#include "rank_value.h"

namespace {

struct Entry {
    double count;
    int32_t slot;
    uint64_t key;
};

bool before(const Entry& a, const Entry& b) {
    return a.key != b.key ? a.key < b.key : a.slot < b.slot;
}

}  // namespace

extern "C" int32_t gf_abi_version(void) {
    return 1;
}

extern "C" int32_t gf_rank_encode_cpu(const gf_rank_plan* p, const gf_cells* cells, int32_t stride,
                                      int32_t* tokens, int32_t* lengths, int32_t* genes) {
    int32_t bad = 0;
    std::vector<double> sum(p->n_slots, 0.0);
    std::vector<int32_t> touched;
    std::vector<Entry> entries;
    for (int32_t c = 0; c < cells->n_cells; c++) {
        entries.clear();
        touched.clear();
        int32_t status = 0;
        for (int64_t k = cells->indptr[c]; k < cells->indptr[c + 1]; k++) {
            double x = cells->values[k];
            if (!gf_valid_count(x, p->allow_non_integer)) {
                status = GF_BAD_VALUE;
                break;
            }
            int32_t s = p->slot_of_column[cells->indices[k]];
            if (s < 0 || x == 0) {
                continue;
            }
            if (p->slot_summed[s]) {
                if (sum[s] == 0) {
                    touched.push_back(s);
                }
                sum[s] += x;
            } else {
                entries.push_back({x, s, 0});
            }
        }
        if (status == 0) {
            double n = cells->n_counts[c];
            size_t total = entries.size() + touched.size();
            if (total > 0 && !(n > 0)) {
                status = GF_BAD_N_COUNTS;
            } else {
                double f = gf_cell_factor(p->scipy_path, p->float32, n);
                for (int32_t s : touched) {
                    entries.push_back({sum[s], s, 0});
                }
                for (Entry& e : entries) {
                    e.key = gf_value_key(gf_normalise(p->scipy_path, p->float32, p->target_sum, e.count, f,
                                                      p->slot_median[e.slot], p->slot_inv_median[e.slot]));
                }
                std::sort(entries.begin(), entries.end(), before);
                int32_t kept = static_cast<int32_t>(std::min<size_t>(entries.size(), p->max_genes));
                int32_t* out = tokens + static_cast<int64_t>(c) * stride;
                int32_t w = 0;
                if (p->cls >= 0) out[w++] = p->cls;
                for (int32_t i = 0; i < kept; i++) out[w++] = p->slot_token[entries[i].slot];
                if (p->eos >= 0) out[w++] = p->eos;
                lengths[c] = w;
                genes[c] = static_cast<int32_t>(entries.size());
            }
        }
        for (int32_t s : touched) sum[s] = 0;
        if (status != 0) {
            lengths[c] = status;
            genes[c] = 0;
            bad++;
        }
    }
    return bad;
}
