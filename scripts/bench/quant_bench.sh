#!/usr/bin/env bash
# Quantization benchmark (issue 17): fp32, int8 and NF4 weights on the same real cells with the same settings, in one
# run, interleaved (fp32, int8, nf4, fp32, ...) so that a busy machine slows each alike; the fastest of the repeats
# counts. Prints markdown tables: embedding time (model loop) and its ratio to fp32; per-cell cosine of the
# embeddings to fp32's (median, 1st percentile, min); deletion effects of every gene of one cell (cell_emb shifts):
# Spearman to fp32's and the largest difference.
#
#   scripts/bench/quant_bench.sh [MODEL_JSON] [CELLS] [THREADS] [WORK_DIR]
#     MODEL_JSON  a registry entry whose shape to build (default models/Geneformer-V2-104M.json)
#     CELLS       pbmc3k cells embedded (default 200; a --max-ncells sample, the same for every run)
#     THREADS     LibTorch threads (default 2)
#   WEIGHTS=fixture|heavy|init  synthetic weights (no real weights here): fixture or heavy from
#                          scripts/bench/make_quant_bench_model.py, init from `geneformer models init` (normal, std 0.02)
#   MAX_TOKENS=2048        tokens per forward pass for every run (the same for all: see decision 0011 on why small)
#   REPEATS=2  MODES="none int8 nf4"  PERTURB=1 (0: skip the deletion effects)  PERTURB_ONLY=1 (skip the embeddings)
#   PERTURB_SELECT="--max-ncells 1 --seed 3"  the cell whose genes are deleted (e.g. "--cell-range 2637:2638", the shortest)
#
# Needs ../shared/data and a Python with torch, transformers, safetensors, datasets, pandas (PYTHON=...).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
json="${1:-$root/models/Geneformer-V2-104M.json}"
cells="${2:-200}"
threads="${3:-2}"
work="${4:-/tmp/geneformer-quant-bench}"
py="${PYTHON:-python3}"
weights="${WEIGHTS:-fixture}"
max_tokens="${MAX_TOKENS:-2048}"
repeats="${REPEATS:-2}"
modes="${MODES:-none int8 nf4}"
shared="$root/../shared/data"
gf="$root/scripts/geneformer"
mkdir -p "$work"
(cd "$root" && ./mvnw -q -o package -DskipTests >/dev/null)   # never measure a stale build

shape="$(basename "$json" .json)"
model="$work/$shape-$weights"
if [ ! -f "$model/model.safetensors" ]; then
  if [ "$weights" = init ]; then
    # `geneformer models init`: BERT's initialisation (normal, std 0.02), the weights a pretraining run starts from
    read -r layers hidden heads inner positions < <("$py" -c 'import json,sys; a=json.load(open(sys.argv[1]))["architecture"]; print(a["layers"], a["hidden_size"], a["heads"], a["intermediate_size"], a["max_positions"])' "$json")
    "$gf" models init "$model" --model-version V2 --layers "$layers" --hidden "$hidden" --heads "$heads" --intermediate "$inner" \
      --max-positions "$positions" --seed 7 >/dev/null
  else
    "$py" "$here/make_quant_bench_model.py" "$json" "$model" --weights "$weights" >/dev/null 2>&1
  fi
fi
ds="$work/pbmc3k_V2.dataset"
[ -d "$ds" ] || "$gf" tokenize -i "$shared/pbmc3k_hvg2000_clustifyr/pbmc3k_hvg2000_clustifyr.h5ad" -o "$ds" --model-version V2 2>/dev/null

declare -A best
[ "${PERTURB_ONLY:-0}" = 1 ] && repeats=0
for r in $(seq 1 "$repeats"); do
  for q in $modes; do
    "$gf" embed -m "$model" -i "$ds" -o "$work/emb_$q.npy" --max-ncells "$cells" --threads "$threads" --max-tokens "$max_tokens" \
      --quantize "$q" --overwrite 2>"$work/embed_$q.log"
    s=$(sed -n 's/.* cells in \([0-9.]*\) s .*/\1/p' "$work/embed_$q.log")
    if [ -z "${best[$q]:-}" ] || awk -v a="$s" -v b="${best[$q]}" 'BEGIN { exit !(a < b) }'; then best[$q]=$s; fi
  done
done
if [ "${PERTURB_ONLY:-0}" != 1 ]; then
echo "| shape, weights | cells | threads, max tokens | weights | embed s (best of $repeats) | cells/s | speed vs fp32 | cosine to fp32: median | 1st pct | min |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for q in $modes; do
  if [ "$q" = none ]; then fid="1 | 1 | 1"; else fid=$("$py" "$here/quant_fidelity.py" emb "$work/emb_none.npy" "$work/emb_$q.npy" | awk '{ print $1 " | " $2 " | " $3 }'); fi
  awk -v s="$shape, $weights" -v n="$cells" -v t="$threads, $max_tokens" -v q="$q" -v b="${best[$q]}" -v f="${best[none]}" -v fid="$fid" \
    'BEGIN { printf "| %s | %d | %s | %s | %.1f | %.2f | %.2fx | %s |\n", s, n, t, (q == "none" ? "fp32" : q), b, n / b, f / b, fid }'
done
fi

if [ "${PERTURB:-1}" = 1 ]; then
  echo
  echo "| shape, weights | weights | deletion effects of one cell's genes: Spearman to fp32 | max abs diff | genes | perturb s |"
  echo "|---|---|---|---|---|---|"
  for q in $modes; do
    rm -rf "$work/isp_$q"
    start=$(date +%s.%N)
    "$gf" perturb -m "$model" -i "$ds" -o "$work/isp_$q" ${PERTURB_SELECT:---max-ncells 1 --seed 3} --perturb-type delete --genes all --emb-mode cls \
      --format csv --threads "$threads" --max-tokens "$max_tokens" --quantize "$q" 2>"$work/isp_$q.log"
    end=$(date +%s.%N)
    secs=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.1f", b - a }')
    if [ "$q" = none ]; then fid="1 | 0 | $(ls "$work/isp_none" >/dev/null; "$py" "$here/quant_fidelity.py" isp "$work/isp_none" "$work/isp_none" | awk '{ print $3 }')"
    else fid=$("$py" "$here/quant_fidelity.py" isp "$work/isp_none" "$work/isp_$q" | awk '{ print $1 " | " $2 " | " $3 }'); fi
    echo "| $shape, $weights | $([ "$q" = none ] && echo fp32 || echo "$q") | $fid | $secs |"
  done
fi
