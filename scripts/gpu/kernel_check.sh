#!/usr/bin/env bash
# Builds libgeneformer_native for Hopper and runs the native tests (the kernel against its CPU twin, edge cases,
# random blocks) and the kernel benchmark. verify.sh runs it (or reads what receive.sh --kernel logged); with
# GF_CUDA=OFF (verify.sh --rehearse) it builds and tests the CPU twin alone.
set -euo pipefail
cd "$(dirname "$0")/../.."
B=${B:-/tmp/gf-native-${GF_CUDA:-ON}}
cmake -S native -B "$B" -DGF_CUDA="${GF_CUDA:-ON}" -DCMAKE_CUDA_ARCHITECTURES="${ARCH:-90-real}" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$B" -j "$(nproc)" 2>&1 | grep -Ei 'error|warning' || true
[ "${GF_CUDA:-ON}" = OFF ] || nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
ctest --test-dir "$B" --output-on-failure
[ "${GF_CUDA:-ON}" = OFF ] && exit 0
# the kernel alone and with copies, 1M cells; stored genes per cell like pbmc68k (~300) and like full transcriptomes (~1500, ~5000)
for mean in 300 1500 5000; do "$B/bench_rank_encode" 1000000 "$mean"; done
