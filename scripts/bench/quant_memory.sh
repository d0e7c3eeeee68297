#!/usr/bin/env bash
# Memory of fp32, int8 and NF4 weights (issue 17): bytes the weights take (as resident on the CPU for each scheme: encoder
# linear layers quantized, embeddings and LayerNorms fp32; int8 counts fbgemm's two copies of the codes) and the peak resident set of `geneformer embed` on a few real
# cells, for the shapes of registry models. Peak RSS twice: with the launcher's malloc settings, which keep freed
# memory (decision 0018; a run's peak is mostly its activations' high-water mark), and with MALLOC_TRIM_THRESHOLD_=0,
# which returns it (closer to what the run needs).
#
#   scripts/bench/quant_memory.sh [WORK_DIR] [MODEL_JSON...]   (default: V2-104M and V2-316M)
#   CELLS=8 THREADS=2 MAX_TOKENS=2048; PYTHON=... (torch, transformers, safetensors)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
work="${1:-/tmp/geneformer-quant-bench}"
shift || true
models=("$@")
[ ${#models[@]} -gt 0 ] || models=("$root/models/Geneformer-V2-104M.json" "$root/models/Geneformer-V2-316M.json")
py="${PYTHON:-python3}"
cells="${CELLS:-8}"
threads="${THREADS:-2}"
max_tokens="${MAX_TOKENS:-2048}"
gf="$root/scripts/geneformer"
shared="$root/../shared/data"
mkdir -p "$work"
(cd "$root" && ./mvnw -q -o package -DskipTests >/dev/null)
ds="$work/pbmc3k_V2.dataset"
[ -d "$ds" ] || "$gf" tokenize -i "$shared/pbmc3k_hvg2000_clustifyr/pbmc3k_hvg2000_clustifyr.h5ad" -o "$ds" --model-version V2 2>/dev/null

echo "| shape | weights | weight bytes (MB) | of fp32 | peak RSS, launcher malloc (MB) | peak RSS, MALLOC_TRIM_THRESHOLD_=0 (MB) |"
echo "|---|---|---|---|---|---|"
for json in "${models[@]}"; do
  shape="$(basename "$json" .json)"
  model="$work/$shape-fixture"
  [ -f "$model/model.safetensors" ] || "$py" "$here/make_quant_bench_model.py" "$json" "$model" >/dev/null 2>&1
  for q in none int8 nf4; do
    bytes=$("$py" - "$json" "$q" <<'PY'
import json, math, sys
a = json.load(open(sys.argv[1]))["architecture"]
h, f, L, v, p = a["hidden_size"], a["intermediate_size"], a["layers"], a["vocab_size"], a["max_positions"]
q = sys.argv[2]
rest = 4 * (v * h + p * h + 2 * h + 2 * h + L * 4 * h)      # embeddings, their LayerNorm, two LayerNorms a layer
fp32 = rest
for out, inp in [(h, h)] * 4 + [(f, h), (h, f)]:
    n = out * inp
    if q == "none":
        w = 4 * n
    elif q == "int8":
        w = 2 * n + 4 * out                                  # on the CPU fbgemm keeps its packed codes and the codes they came from
    else:
        blocks = math.ceil(n / 64)
        w = math.ceil(n / 2) + blocks + 4 * math.ceil(blocks / 256) + 4
    rest += L * (w + 4 * out)                                # + fp32 bias
    fp32 += L * (4 * n + 4 * out)
print(rest, fp32)
PY
)
    set -- $bytes
    peak() {
      env "$@" /usr/bin/time -f "%M" "$gf" embed -m "$model" -i "$ds" -o "$work/mem_$q.npy" --max-ncells "$cells" --threads "$threads" \
        --max-tokens "$max_tokens" --quantize "$q" --overwrite 2>&1 >/dev/null | tail -1
    }
    default_kb=$(peak X=1)
    trim_kb=$(peak MALLOC_TRIM_THRESHOLD_=0)
    awk -v s="$shape" -v q="$q" -v b="$1" -v f="$2" -v d="$default_kb" -v t="$trim_kb" \
      'BEGIN { printf "| %s | %s | %.1f | %.3f | %.0f | %.0f |\n", s, (q == "none" ? "fp32" : q), b / 1e6, b / f, d / 1024, t / 1024 }'
  done
done
