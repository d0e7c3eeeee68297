// The CPU twin on cases whose answers are known by hand: empty cells, one gene, ties, truncation, summed
// columns, out-of-vocabulary and zero values, bad counts. (Agreement with the Java tokenizer on real data is
// NativeRankEncoderTest's; agreement of the kernel with this twin is test_rank_encode_cuda's.)
#include <algorithm>

#include "rank_cases.h"

static Output run(const Plan& plan, const Block& b) {
    Output o(b, plan.p.max_genes + 2);
    gf_cells v = b.view();
    gf_rank_encode_cpu(&plan.p, &v, o.stride, o.tokens.data(), o.lengths.data(), o.genes.data());
    return o;
}

int main() {
    // 10 columns, 8 slots, no summing: column c is slot c (token 4 + c), column 3 outside the vocabulary
    Plan v2(10, 8, false, 3, true, true, false, 1);
    for (int s = 0; s < 8; s++) {  // equal medians: the order is the count order, ties by slot
        v2.median[s] = 2.0;
        v2.inv_median[s] = 0.5;
    }
    Block b;
    b.add({}, 10);                                            // empty
    b.add({{5, 4}}, 10);                                      // one gene
    b.add({{6, 2}, {1, 2}, {4, 2}}, 10);                      // all tied: by slot 1, 4, 6
    b.add({{0, 1}, {1, 5}, {2, 3}, {4, 9}, {5, 2}}, 30);      // truncated to 3: slots 4, 1, 2
    b.add({{3, 50}, {2, 0}, {7, 1}}, 60);                     // out of vocabulary and zero dropped
    b.add({{2, -1}}, 10);                                     // negative
    b.add({{2, 1.5}}, 10);                                    // non-integer
    b.add({{2, 1}}, 0);                                       // n_counts 0 with a gene
    Output o = run(v2, b);
    expect(o.cell(0) == std::vector<int32_t>{2, 3}, "empty cell gives <cls><eos>: " + str(o.cell(0)));
    expect(o.cell(1) == std::vector<int32_t>{2, 9, 3}, "one gene: " + str(o.cell(1)));
    expect(o.cell(2) == std::vector<int32_t>{2, 5, 8, 10, 3}, "ties by slot: " + str(o.cell(2)));
    expect(o.cell(3) == std::vector<int32_t>{2, 8, 5, 6, 3}, "truncated: " + str(o.cell(3)));
    expect(o.genes[3] == 5, "genes before truncation");
    expect(o.cell(4) == std::vector<int32_t>{2, 11, 3}, "dropped: " + str(o.cell(4)));
    expect(o.lengths[5] == GF_BAD_VALUE, "negative count refused");
    expect(o.lengths[6] == GF_BAD_VALUE, "non-integer count refused");
    expect(o.lengths[7] == GF_BAD_N_COUNTS, "n_counts 0 refused");

    // V1: no special tokens
    Plan v1 = v2;
    v1.p.cls = -1;
    v1.p.eos = -1;
    v1.p.slot_median = v1.median.data();
    v1.p.slot_inv_median = v1.inv_median.data();
    v1.p.slot_of_column = v1.slot_of_column.data();
    v1.p.slot_token = v1.slot_token.data();
    v1.p.slot_summed = v1.summed.data();
    Output o1 = run(v1, b);
    expect(o1.cell(0).empty(), "V1 empty cell is empty");
    expect(o1.cell(3) == std::vector<int32_t>{8, 5, 6}, "V1 truncated: " + str(o1.cell(3)));

    // medians order genes: count 4 over median 1 beats count 6 over median 2
    v2.median[1] = 1.0;
    v2.inv_median[1] = 1.0;
    Block m;
    m.add({{0, 6}, {1, 4}}, 10);
    expect(run(v2, m).cell(0) == std::vector<int32_t>{2, 5, 4, 3}, "median divides: " + str(run(v2, m).cell(0)));

    // summed columns: 12 columns onto 8 slots; columns 8..11 add to slots 0..3
    Plan sum(12, 8, true, 8, false, true, false, 2);
    for (int s = 0; s < 8; s++) {
        sum.median[s] = 1.0;
        sum.inv_median[s] = 1.0;
    }
    Block sb;
    sb.add({{0, 1}, {8, 5}, {1, 3}, {9, 1}, {2, 2}}, 20);  // slot0 = 6, slot1 = 4, slot2 = 2
    expect(run(sum, sb).cell(0) == std::vector<int32_t>{4, 5, 6}, "summed: " + str(run(sum, sb).cell(0)));

    if (failures == 0) std::printf("test_rank_encode: all cases pass\n");
    return failures == 0 ? 0 : 1;
}
