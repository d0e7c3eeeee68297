#!/usr/bin/env bash
# ON THE GPU MACHINE (device tool, from the repository root): builds libgeneformer_native for Hopper, runs the
# native tests (the kernel against its CPU twin, edge cases, random blocks) and the kernel benchmark.
# From the development machine, one call:  run(command="bash scripts/gpu/kernel_check.sh", timeout_s=600)
set -euo pipefail
B=${B:-/tmp/gf-native}
cmake -S native -B "$B" -DGF_CUDA=ON -DCMAKE_CUDA_ARCHITECTURES="${ARCH:-90-real}" -DCMAKE_BUILD_TYPE=Release > /dev/null
cmake --build "$B" -j "$(nproc)" 2>&1 | grep -Ei 'error|warning' || true
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
ctest --test-dir "$B" --output-on-failure
# the kernel alone and with copies, 1M cells; stored genes per cell like pbmc68k (~300) and like full transcriptomes (~1500, ~5000)
for mean in 300 1500 5000; do "$B/bench_rank_encode" 1000000 "$mean"; done
