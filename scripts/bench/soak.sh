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
verdict() {  # phase: flat = no growth, the median of the last third of the samples (after the first two, the
    # warm-up) within 10 % of the first third's; the spread (max - min) is printed too, GC makes RSS breathe
    awk -v p="$1" '$1 == p { n++; if (n > 2) { sub(/rss_mb=/, "", $4); v[++m] = $4 + 0 } }
        function median(lo, hi,   i, j, k, t, w) { k = 0; for (i = lo; i <= hi; i++) w[++k] = v[i];
            for (i = 2; i <= k; i++) { t = w[i]; for (j = i - 1; j >= 1 && w[j] > t; j--) w[j + 1] = w[j]; w[j + 1] = t }
            return w[int((k + 1) / 2)] }
        END {
            if (m < 3) { print p ": too short to judge (" m " samples after warm-up)"; exit }
            third = int(m / 3); first = median(1, third); last = median(m - third + 1, m)
            lo = v[1]; hi = v[1]; for (i = 2; i <= m; i++) { if (v[i] < lo) lo = v[i]; if (v[i] > hi) hi = v[i] }
            printf "%s: %d samples after warm-up, RSS %d..%d MB; median of the first third %d MB, of the last third %d MB (%+.1f %%): %s\n",
                p, m, lo, hi, first, last, 100 * (last - first) / first, (last - first) <= 0.1 * first ? "flat" : "GROWS" }' "$work/samples.txt"
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
