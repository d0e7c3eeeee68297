#!/usr/bin/env bash
# In silico deletion benchmark: `geneformer perturb` (all perturbations of a cell in unpadded batches, the original
# run once) vs the Python reference scripts/bench/hf_isp.py in the same run: one perturbation per forward pass, and
# upstream's own minibatches of 100. V1 "cell" mode on 100 real cells of kang_ifnb_harmony (every 20th cell), a
# gf-6L-30M-i2048-shaped model with deterministic fixture weights (no real weights can be downloaded here).
# Python is slow, so both Python styles run on a slice of the length-sorted cells (default 48:51, three cells of
# median length) and this program on the same slice (the like-for-like ratio); FULL=1 also runs this program on all
# 100 cells (about 3e14 FLOP: an hour on 2 cores, minutes on a GPU). The values of both programs are compared.
#
#   scripts/bench/perturb_bench.sh [SLICE] [THREADS] [WORK_DIR]     (defaults: 48:51, all cores, /tmp/geneformer-perturb-bench)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
slice="${1:-48:51}"
threads="${2:-$(nproc)}"
work="${3:-/tmp/geneformer-perturb-bench}"
py="${PYTHON:-python3}"
device="${DEVICE:-cpu}"
shape=gf-6L-30M-i2048
gf="$root/scripts/geneformer"
mkdir -p "$work"
[ -n "${GENEFORMER_HOME:-}" ] || (cd "$root" && ./mvnw -q package -DskipTests)   # GENEFORMER_HOME: a staged install to measure instead
model="$work/$shape"
[ -f "$model/model.safetensors" ] || "$py" "$here/make_bench_model.py" "$shape" "$model" >/dev/null 2>&1
all="$work/kang_V1.dataset"
[ -d "$all" ] || "$gf" tokenize -i "$root/../shared/data/kang_ifnb_harmony/kang_ifnb_harmony.h5ad" -o "$all" --model-version V1 2>/dev/null
ds="$work/kang_V1_100.dataset"
[ -d "$ds" ] || "$py" -c "import sys; from datasets import load_from_disk; d=load_from_disk(sys.argv[1]); d.select(range(0, len(d), 20)).save_to_disk(sys.argv[2])" "$all" "$ds" >/dev/null 2>&1

run_java() {  # $1 output dir, $2 extra args; prints seconds of the perturbation loop and the perturbation count
  rm -rf "$1"
  "$gf" perturb -m "$model" -i "$ds" -o "$1" --emb-mode cell --threads "$threads" --device "$device" --shard-cells 1000 --format csv $2 2>"$1.log"
  sed -n 's/.* cells, \([0-9,]*\) perturbations in \([0-9.]*\) s .*/\1 \2/p' "$1.log" | tr -d ,
}
jn=0; js=1
[ "${FULL:-0}" = 1 ] && read -r jn js < <(run_java "$work/java_all" "")
read -r jsn jss < <(run_java "$work/java_sub" "--cell-range $slice")
one=$("$py" "$here/hf_isp.py" "$model" "$ds" --cells "$slice" --style one --threads "$threads" --out "$work/py_one.csv" 2>/dev/null | tail -1)
bat=$("$py" "$here/hf_isp.py" "$model" "$ds" --cells "$slice" --style batched --threads "$threads" --out "$work/py_batched.csv" 2>/dev/null | tail -1)
rate() { sed 's/.*rate=\([0-9.]*\).*/\1/' <<<"$1"; }
diff=$("$py" "$here/isp_diff.py" "$work/java_sub" "$work/py_one.csv")
echo "| cells (slice of 100) | threads | Python 1 per forward (perturb./s) | Python upstream minibatches of 100 | geneformer4j, same cells | ratio vs 1 per forward | ratio vs minibatches | geneformer4j, 100 cells | max abs diff |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v c="$slice" -v t="$threads" -v o="$(rate "$one")" -v b="$(rate "$bat")" -v jsn="$jsn" -v jss="$jss" -v jn="$jn" -v js="$js" -v d="$diff" \
  'BEGIN { j = jsn / jss; printf "| %s | %d | %.1f | %.1f | %.1f | %.1fx | %.1fx | %s | %s |\n", c, t, o, b, j, j / o, j / b, (jn ? sprintf("%.1f (%d in %.0f s)", jn / js, jn, js) : "not run (FULL=1)"), d }'
