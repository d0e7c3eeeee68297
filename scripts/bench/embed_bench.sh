#!/usr/bin/env bash
# Embedding benchmark: this program vs upstream's path in Hugging Face transformers (scripts/bench/hf_embed.py:
# BertForMaskedLM with output_hidden_states, sorted by length, batches of 100), same weights, same real cells,
# same thread count, measured in the same run. Prints a markdown table and the largest difference between the two
# programs' embeddings.
#
#   scripts/bench/embed_bench.sh [SHAPE] [CELLS_EVERY] [THREADS] [WORK_DIR]
#     SHAPE        gf-6L-30M-i2048 (default) or gf-12L-95M-i4096
#     CELLS_EVERY  keep every k-th cell of cellbench (225 full transcriptomes) + pbmc3k (2,638): default 6 (478 cells)
#     THREADS      default: all cores
#
# Needs ../shared/data and a Python with torch, transformers, safetensors, datasets (PYTHON=/work/venv/bin/python).
# Weights are the deterministic fixture weights at the real size (no real weights can be downloaded here).
# Extra settings for both programs: DEVICE=cuda DTYPE=bf16 BATCH=100 scripts/bench/embed_bench.sh ...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shape="${1:-gf-6L-30M-i2048}"
every="${2:-6}"
threads="${3:-$(nproc)}"
work="${4:-/tmp/geneformer-embed-bench}"
py="${PYTHON:-python3}"
device="${DEVICE:-cpu}"
dtype="${DTYPE:-fp32}"
batch="${BATCH:-100}"   # upstream's forward_batch_size; the 12L shape at 4,096 tokens needs less than 24 GB only with ~10
shared="$root/../shared/data"
gf="$root/scripts/geneformer"
mkdir -p "$work"
(cd "$root" && ./mvnw -q package -DskipTests)   # never measure a stale build

case "$shape" in
  gf-6L-30M-i2048) version=V1; mode=cell ;;
  *) version=V2; mode=cls ;;
esac
model="$work/$shape"
[ -f "$model/model.safetensors" ] || "$py" "$here/make_bench_model.py" "$shape" "$model" >/dev/null 2>&1
all="$work/cells_$version.dataset"
[ -d "$all" ] || "$gf" tokenize -i "$shared/cellbench_dropseq_3cl/cellbench_dropseq_3cl.h5ad,$shared/pbmc3k_hvg2000_clustifyr/pbmc3k_hvg2000_clustifyr.h5ad" \
  -o "$all" --model-version "$version" 2>/dev/null
ds="$work/cells_${version}_every$every.dataset"
[ -d "$ds" ] || "$py" -c "import sys; from datasets import load_from_disk; d=load_from_disk(sys.argv[1]); d.select(range(0, len(d), int(sys.argv[3]))).save_to_disk(sys.argv[2])" "$all" "$ds" "$every" >/dev/null 2>&1
n=$("$py" -c "import sys; from datasets import load_from_disk; print(len(load_from_disk(sys.argv[1])))" "$ds" 2>/dev/null)

hf=$("$py" "$here/hf_embed.py" "$model" "$ds" "$work/hf.npy" --threads "$threads" --device "$device" --dtype "$dtype" --mode "$mode" \
  --batch-size "$batch" 2>"$work/hf.log" | tail -1) || { echo "transformers run failed (out of memory? try BATCH=10):" >&2; tail -3 "$work/hf.log" >&2; exit 1; }
hf_s=$(sed 's/.*seconds=\([0-9.]*\).*/\1/' <<<"$hf")
start=$(date +%s.%N)
"$gf" embed -m "$model" -i "$ds" -o "$work/java.npy" --emb-mode "$mode" --max-ncells 0 --sort-by-length --threads "$threads" \
  --batch-size "$batch" --device "$device" --dtype "$dtype" --overwrite 2>"$work/java.log"
end=$(date +%s.%N)
java_loop=$(sed -n 's/.* cells in \([0-9.]*\) s .*/\1/p' "$work/java.log")
java_total=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
diff=$("$py" -c "import numpy as np, sys; a=np.load(sys.argv[1]); b=np.load(sys.argv[2]); print(f'{float(np.abs(a-b).max()):.2e}')" "$work/java.npy" "$work/hf.npy")
echo "| shape | cells | device, dtype | threads, batch | HF transformers cells/s | geneformer4j cells/s (model loop) | ratio | geneformer4j incl. JVM start + model load | max abs diff |"
echo "|---|---|---|---|---|---|---|---|---|"
awk -v s="$shape" -v n="$n" -v d="$device, $dtype" -v t="$threads, $batch" -v h="$hf_s" -v j="$java_loop" -v jt="$java_total" -v df="$diff" \
  'BEGIN { printf "| %s | %d | %s | %s | %.2f | %.2f | %.2fx | %.2f cells/s (%.2fx) | %s |\n", s, n, d, t, n/h, n/j, h/j, n/jt, h/jt, df }'
