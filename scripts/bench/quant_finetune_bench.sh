#!/usr/bin/env bash
# NF4 + LoRA fine-tuning against fp32 full fine-tuning (issue 17): seconds per optimizer step on the same cells,
# same batches, same threads, and what each run learns (test macro F1 on the same split). pbmc3k's 9 cell types.
#
#   scripts/bench/quant_finetune_bench.sh [MODEL_DIR_OR_JSON] [STEPS] [WORK_DIR]
#     MODEL  a checkpoint directory, or a registry entry whose shape to build with synthetic weights
#            (default models/Geneformer-V2-104M.json; no pretrained weights can be downloaded here)
#     STEPS  optimizer steps timed per run (default 6; the first is not counted). STEPS=0: train to the end
#            (--epochs, default 1) and report test macro F1.
#   THREADS=2 BATCH=12 EPOCHS=1 LR_FULL=5e-5 LR_LORA=2e-4 CELLS=0 (all) PYTHON=...
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
src="${1:-$root/models/Geneformer-V2-104M.json}"
steps="${2:-6}"
work="${3:-/tmp/geneformer-quant-bench}"
py="${PYTHON:-python3}"
threads="${THREADS:-2}"
batch="${BATCH:-12}"
gf="$root/scripts/geneformer"
shared="$root/../shared/data"
mkdir -p "$work"
(cd "$root" && ./mvnw -q -o package -DskipTests >/dev/null)
if [ -d "$src" ]; then model="$src"; else
  model="$work/$(basename "$src" .json)-fixture"
  [ -f "$model/model.safetensors" ] || "$py" "$here/make_quant_bench_model.py" "$src" "$model" >/dev/null 2>&1
fi
ds="$work/pbmc3k_V2_labels.dataset"
[ -d "$ds" ] || "$gf" tokenize -i "$shared/pbmc3k_hvg2000_clustifyr/pbmc3k_hvg2000_clustifyr.h5ad" -o "$ds" --model-version V2 \
  --attr cell_type 2>/dev/null

echo "| model | run | trainable parameters | s per step (median of steps 2..) | test macro F1 | test accuracy |"
echo "|---|---|---|---|---|---|"
for run in full nf4-lora; do
  out="$work/ft_$run"
  rm -rf "$out"
  extra=(--learning-rate "${LR_FULL:-5e-5}")
  [ "$run" = full ] || extra=(--learning-rate "${LR_LORA:-2e-4}" --quantize nf4 --lora-r 64 --lora-alpha 128 --lora-dropout 0.1)
  stop=()
  [ "$steps" = 0 ] || stop=(--stop-after-steps "$steps")
  "$gf" finetune cell -m "$model" -i "$ds" --label cell_type -o "$out" --threads "$threads" --batch-size "$batch" \
    --epochs "${EPOCHS:-1}" --log-steps 1 --max-ncells "${CELLS:-0}" "${extra[@]}" "${stop[@]}" 2>"$work/ft_$run.log" || { tail -3 "$work/ft_$run.log"; exit 1; }
  trainable=$(sed -n 's/.*: \([0-9,]*\) trainable parameters.*/\1/p' "$work/ft_$run.log")
  "$py" - "$out" "$run" "$(basename "$model")" "$batch" "${trainable:-all}" <<'PY'
import json, os, statistics, sys
out, run, model, batch, trainable = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
lines = [json.loads(l) for l in open(os.path.join(out, "metrics.jsonl")) if '"loss"' in l]
secs = [batch / l["cells_per_s"] for l in lines[1:]] or [float("nan")]
m = json.load(open(os.path.join(out, "metrics.json"))) if os.path.exists(os.path.join(out, "metrics.json")) else {}
t = m.get("test", {})
f1 = f"{t['macro_f1']:.3f}" if "macro_f1" in t else "-"
acc = f"{t['accuracy']:.3f}" if "accuracy" in t else "-"
print(f"| {model} | {run} | {trainable} | {statistics.median(secs):.2f} | {f1} | {acc} |")
PY
done
