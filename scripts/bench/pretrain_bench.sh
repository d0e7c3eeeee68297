#!/usr/bin/env bash
# Pretraining speed: tokens/s of `geneformer pretrain` against upstream's transformers training step, same model
# shape (V1-10M: 6 layers, hidden 256, 4 heads, intermediate 512), same cells, batch size and threads, in one run;
# then 1 process x 1 thread against 2 processes x 1 thread with the same global batch (data-parallel scaling).
#   PYTHON=/path/to/venv/bin/python scripts/bench/pretrain_bench.sh [DATASET] [STEPS]
# DATASET: a V1-tokenized dataset (default: the example tokenized for V1); STEPS timed after 3 warm-up steps.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python3}
work=$(mktemp -d /tmp/pretrain_bench.XXXX)
trap 'rm -rf "$work"' EXIT
data=${1:-}
steps=${2:-20}
threads=${THREADS:-2}
batch=12
g=scripts/geneformer
if [ -z "$data" ]; then
  data=$work/cells.dataset
  $g tokenize -i examples/pbmc68k_reduced_counts.h5ad -o "$data" --model-version V1 --threads 2 2>/dev/null
fi
$g models init "$work/model" --model-version V1 --layers 6 --hidden 256 --heads 4 --intermediate 512 --max-positions 2048 \
  --dropout 0.02 --seed 1 2>/dev/null

# tokens/s of our run: the mean of the log windows after the first (which holds the JIT and allocator warm-up)
ours() { # out batch nproc threads
  $g pretrain -m "$work/model" -i "$data" -o "$1" --valid-fraction 0 --epochs 100 --batch-size "$2" --nproc-per-node "$3" \
    --threads "$4" --learning-rate 1e-3 --warmup-steps 10 --stop-after-steps $((steps + 5)) --log-steps 5 --save-steps 100000 \
    --overwrite 2>/dev/null >/dev/null
  "$PYTHON" -c 'import json,sys; l=[json.loads(x) for x in open(sys.argv[1]) if "tokens_per_s" in x][1:]; print(sum(x["tokens_per_s"] for x in l)/len(l))' "$1/metrics.jsonl"
}
java=$(ours "$work/j1" $batch 1 "$threads")
hf=$(cd scripts/bench && "$PYTHON" hf_pretrain.py "$work/model" "$data" $batch "$steps" "$threads" | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["tokens_per_s"])')
one=$(ours "$work/p1" $batch 1 1)
two=$(ours "$work/p2" $((batch / 2)) 2 1)
"$PYTHON" - "$java" "$hf" "$one" "$two" "$threads" <<'PY'
import sys
java, hf, one, two, t = map(float, sys.argv[1:])
print(f"V1-10M shape, batch 12, {int(t)} thread(s): geneformer4j {java:,.0f} tokens/s, transformers {hf:,.0f} tokens/s: {java / hf:.2f}x")
print(f"data parallel, global batch 12, 1 thread per process: 1 process {one:,.0f}, 2 processes {two:,.0f} tokens/s:"
      f" {two / one:.2f}x ({100 * two / one / 2:.0f} % scaling efficiency)")
PY
