#!/usr/bin/env bash
# ON THE GPU MACHINE, second of two consecutive calls (after receive_jre.sh): `geneformer tokenize --device cuda`
# against the CPU path on every staged dataset (the datasets must be byte-identical), then throughput on 1M cells
# (pbmc68k listed ~1430 times) for the kernel path and the Java CPU path on all cores, in the same run.
# From the development machine:
#   run(command="bash scripts/gpu/tokenize_check.sh", carry=[".device/app.tar.xz"], timeout_s=600)
set -euo pipefail
[ -x /tmp/gf/jre/bin/java ] || { echo "no runtime in /tmp/gf: run receive_jre.sh first, less than 30 s before"; exit 1; }
tar xJf .device/app.tar.xz -C /tmp/gf
export JAVA_HOME=/tmp/gf/jre GENEFORMER_HOME=/tmp/gf/app
G=/tmp/gf/app/bin/geneformer
W=/tmp/gf-tok; rm -rf "$W"; mkdir -p "$W"
nvidia-smi --query-gpu=name --format=csv,noheader
for f in /tmp/gf/data/*.h5ad; do
    n=$(basename "$f" .h5ad)
    for v in V1 V2; do
        $G tokenize -i "$f" -o "$W/$n.$v.cpu" --model-version $v > /dev/null 2>&1
        $G --verbose tokenize -i "$f" -o "$W/$n.$v.cuda" --model-version $v --device cuda 2> "$W/$n.$v.log" > /dev/null
        grep -q 'fused CUDA kernel' "$W/$n.$v.log" || { cat "$W/$n.$v.log"; echo "FAIL: the kernel did not run"; exit 1; }
        for a in "$W/$n.$v.cpu"/data-*.arrow; do cmp "$a" "$W/$n.$v.cuda/$(basename "$a")"; done
        echo "identical: $n $v"
    done
done
ONE=/tmp/gf/data/pbmc68k_reduced_counts.h5ad
LIST=$(printf "$ONE,%.0s" $(seq 1 1429)); LIST=${LIST%,}
for dev in cuda cpu; do
    s=$(date +%s.%N)
    $G tokenize -i "$LIST" -o "$W/1m.$dev" --device $dev 2>&1 | tail -1
    e=$(date +%s.%N)
    echo "$dev: $(echo "1000300 / ($e - $s)" | bc -l | cut -d. -f1) cells/s end to end (reading h5ad included)"
done
