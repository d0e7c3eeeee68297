#!/usr/bin/env bash
# Soak: tokenize, then embed, CELLS real cells (pbmc68k listed again and again) with a 1 GiB heap and the tiny test
# model, the JVM's resident memory sampled every INTERVAL seconds. Memory must stay flat (within 10 % of the
# phase's median once warm: the first two samples are the warm-up) however many cells go through.
#
#   scripts/bench/soak.sh [CELLS=1000000] [INTERVAL=60] [WORK=/tmp/geneformer-soak]
#
# Prints one line per sample and a verdict per phase. A benchmark, not a test: it takes tens of minutes on 2 cores.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cells=${1:-1000000}
interval=${2:-60}
work=${3:-/tmp/geneformer-soak}
gf="$root/scripts/geneformer"
mkdir -p "$work"
(cd "$root" && ./mvnw -q package -DskipTests)
example="$root/examples/pbmc68k_reduced_counts.h5ad"
copies=$(( (cells + 699) / 700 ))
list=$(printf "$example,%.0s" $(seq 1 "$copies")); list=${list%,}
export GENEFORMER_JAVA_OPTS="-Xmx1g"

sample() {  # phase pid: one RSS sample per interval until the process ends
    local phase=$1 pid=$2 t=0
    while kill -0 "$pid" 2>/dev/null; do
        sleep "$interval"
        t=$((t + interval))
        rss=$(ps -o rss= -p "$pid" 2>/dev/null | tr -d ' ') || true
        if [ -n "$rss" ]; then echo "$phase $t s rss_mb=$((rss / 1024))" | tee -a "$work/samples.txt"; fi
    done
}
verdict() {  # phase: the samples after the first two (warm-up), sorted
    local v n med lo hi
    v=$(awk -v p="$1" '$1 == p { n++; if (n > 2) { sub(/rss_mb=/, "", $4); print $4 } }' "$work/samples.txt" | sort -n)
    n=$(echo "$v" | grep -c . || true)
    [ "$n" -gt 0 ] || { echo "$1: too short to judge (fewer than 3 samples)"; return; }
    lo=$(echo "$v" | head -1); hi=$(echo "$v" | tail -1); med=$(echo "$v" | sed -n "$(( (n + 1) / 2 ))p")
    awk -v p="$1" -v n="$n" -v lo="$lo" -v hi="$hi" -v med="$med" 'BEGIN {
        printf "%s: %d samples after warm-up, RSS %d..%d MB, median %d MB, spread %.1f %% of the median: %s\n",
            p, n, lo, hi, med, 100 * (hi - lo) / med, (hi - lo) <= 0.1 * med ? "flat" : "NOT flat" }'
}

: > "$work/samples.txt"
rm -rf "$work/soak.dataset" "$work/soak.npy"
start=$(date +%s)
"$gf" tokenize -i "$list" -o "$work/soak.dataset" --model-version V2 --prefix-cell-ids 2> "$work/tokenize.log" &
sample tokenize $!
wait $! || { tail -3 "$work/tokenize.log"; exit 1; }
mid=$(date +%s)
"$gf" embed -m "$root/src/test/resources/fixtures/model/tiny_v2" -i "$work/soak.dataset" -o "$work/soak.npy" \
    --max-ncells 0 2> "$work/embed.log" &
sample embed $!
wait $! || { tail -3 "$work/embed.log"; exit 1; }
end=$(date +%s)
echo "tokenize: $(tail -1 "$work/tokenize.log") ($((mid - start)) s)"
echo "embed: $(grep '^wrote' "$work/embed.log") ($((end - mid)) s)"
verdict tokenize
verdict embed
