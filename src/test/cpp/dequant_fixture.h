// Test helpers for the dequantization twins: the dynamic map from Java's resource (the one source of it) and the
// NF4 reference fixture (fixtures/quant/nf4.safetensors, written by scripts/fixtures/make_quant_fixtures.py).
#ifndef GENEFORMER_DEQUANT_FIXTURE_H
#define GENEFORMER_DEQUANT_FIXTURE_H

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "dequant.h"

inline void expect(bool ok, const std::string& what) {
    if (!ok) {
        std::fprintf(stderr, "FAILED: %s\n", what.c_str());
        std::exit(1);
    }
}

inline std::vector<float> dynamic_map() {
    std::ifstream in(GF_DYNAMIC_MAP);
    expect(in.good(), std::string("cannot read ") + GF_DYNAMIC_MAP);
    std::vector<float> map;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        uint32_t bits = static_cast<uint32_t>(std::stoul(line.substr(0, 8), nullptr, 16));
        float v;
        std::memcpy(&v, &bits, 4);
        map.push_back(v);
    }
    expect(map.size() == 256, "the dynamic map has 256 values");
    return map;
}

// A safetensors file's tensors as raw bytes by name (little-endian host assumed, as every supported platform is).
inline std::map<std::string, std::vector<uint8_t>> read_safetensors(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    expect(in.good(), "cannot read " + path);
    uint64_t header_len = 0;
    in.read(reinterpret_cast<char*>(&header_len), 8);
    std::string header(header_len, '\0');
    in.read(&header[0], static_cast<std::streamsize>(header_len));
    std::vector<uint8_t> data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::map<std::string, std::vector<uint8_t>> out;
    // entries look like "name":{"dtype":"F32","shape":[..],"data_offsets":[begin,end]}
    size_t pos = 0;
    while ((pos = header.find("\"data_offsets\":[", pos)) != std::string::npos) {
        size_t key_end = header.rfind("\":{", pos);
        size_t key_start = header.rfind('"', key_end - 1) + 1;
        std::string name = header.substr(key_start, key_end - key_start);
        size_t nums = pos + std::strlen("\"data_offsets\":[");
        uint64_t begin = std::stoull(header.substr(nums));
        uint64_t end = std::stoull(header.substr(header.find(',', nums) + 1));
        out[name] = std::vector<uint8_t>(data.begin() + static_cast<long>(begin), data.begin() + static_cast<long>(end));
        pos = nums;
    }
    return out;
}

template <typename T>
std::vector<T> as(const std::vector<uint8_t>& bytes) {
    std::vector<T> v(bytes.size() / sizeof(T));
    std::memcpy(v.data(), bytes.data(), bytes.size());
    return v;
}

// One NF4 weight of the fixture.
struct Nf4Case {
    std::string name;
    std::vector<uint8_t> packed, absmax_codes;
    std::vector<float> absmax2, expected;
    float offset = 0;
    int64_t n = 0;
};

inline std::vector<Nf4Case> nf4_cases() {
    auto t = read_safetensors(std::string(GF_FIXTURE_DIR) + "/nf4.safetensors");
    std::vector<Nf4Case> cases;
    for (const char* name : {"uniform", "cubed", "edge"}) {
        Nf4Case c;
        c.name = name;
        std::string p = std::string(name) + ".";
        expect(t.count(p + "packed") == 1, "the fixture holds " + p + "packed");
        c.packed = t[p + "packed"];
        c.absmax_codes = t[p + "absmax_codes"];
        c.absmax2 = as<float>(t[p + "absmax2"]);
        c.offset = as<float>(t[p + "offset"])[0];
        c.expected = as<float>(t[p + "dequantized"]);
        c.n = static_cast<int64_t>(c.expected.size());
        cases.push_back(c);
    }
    return cases;
}

inline bool same_bits(const std::vector<float>& a, const std::vector<float>& b, size_t* first_diff) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); i++) {
        if (std::memcmp(&a[i], &b[i], 4) != 0) {
            *first_diff = i;
            return false;
        }
    }
    return true;
}

#endif
