#!/usr/bin/env bash
# A hyperparameter study of 8 trials on a small task (three PBMC types of the example data, a new random
# 2-layer V2 model without dropout), killed with SIGKILL in the middle of a trial and resumed: the finished trials are kept, the interrupted
# one continues from its checkpoint with its saved parameters, and the report comes out at the end.
# Shows mechanics (the model starts from random weights), not biology. Run from the project root after packaging.
set -euo pipefail
cd "$(dirname "$0")/../.."
G=scripts/geneformer
OUT=${OUT:-out/tune_demo}
rm -rf "$OUT"; mkdir -p "$OUT"
$G tokenize -i examples/pbmc68k_reduced_counts.h5ad -o "$OUT/cells.dataset" --attr bulk_labels=cell_type
$G models init "$OUT/model" --model-version V2 --layers 2 --hidden 64 --heads 4 --intermediate 128 --dropout 0
cat > "$OUT/space.json" <<'JSON'
{"learning_rate": {"type": "loguniform", "low": 1e-5, "high": 1e-2},
 "warmup_steps": {"type": "int", "low": 0, "high": 100},
 "num_train_epochs": [2, 4], "per_device_train_batch_size": [4, 8]}
JSON
TUNE=(tune -m "$OUT/model" -i "$OUT/cells.dataset" --label cell_type
      --filter "cell_type=Dendritic,CD14+ Monocyte,CD19+ B" --space "$OUT/space.json" --trials 8 --sampler tpe
      --threads 2 --save-steps 20 -o "$OUT/study")
$G "${TUNE[@]}" > "$OUT/first.log" 2>&1 &
PID=$!
# kill once trial 4 has written its first checkpoint
until ls -d "$OUT"/study/trial-004/checkpoint-* >/dev/null 2>&1; do
    kill -0 $PID 2>/dev/null || { echo "study ended before the kill"; cat "$OUT/first.log"; exit 1; }
    sleep 0.2
done
kill -9 $PID; wait $PID 2>/dev/null || true
echo "== killed during trial 4; finished trials: $(wc -l < "$OUT/study/trials.jsonl")"
grep -h '"global_step"' "$OUT"/study/trial-004/checkpoint-*/trainer_state.json
echo "== resuming"
$G "${TUNE[@]}" 2>&1 | tee "$OUT/second.log" | grep -v '^train '
