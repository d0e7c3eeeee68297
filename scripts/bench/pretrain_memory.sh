#!/usr/bin/env bash
# Is pretraining's memory flat in the corpus size? Peak RSS (/usr/bin/time -f %M) of a 2-step slice of `pretrain`
# on one tokenized dataset passed once and then REPS times over (-i d,d,...,d): only the corpus grows.
#   scripts/bench/pretrain_memory.sh [H5AD] [REPS...]        (default: pbmc3k_hvg2000_clustifyr; 1 10 40)
# GF: the launcher measured (default scripts/geneformer; point it at another checkout's to compare builds).
set -euo pipefail
cd "$(dirname "$0")/../.."
h5ad=${1:-../shared/data/pbmc3k_hvg2000_clustifyr/pbmc3k_hvg2000_clustifyr.h5ad}
shift || true
reps=("${@:-1 10 40}")
read -r -a reps <<< "${reps[*]}"
GF=${GF:-scripts/geneformer}
g=scripts/geneformer
work=$(mktemp -d /tmp/pretrain_memory.XXXX)
trap 'rm -rf "$work"' EXIT
$g tokenize -i "$h5ad" -o "$work/cells.dataset" --model-version V1 --threads 2 2>/dev/null
$g models init "$work/model" --model-version V1 --layers 2 --hidden 64 --heads 2 --intermediate 128 --max-positions 2048 \
  --seed 1 2>/dev/null
echo "| copies of the dataset | training cells | training tokens | peak RSS MB | wall s |"
echo "|---|---|---|---|---|"
for n in "${reps[@]}"; do
  inputs=$(printf "$work/cells.dataset,%.0s" $(seq "$n")); inputs=${inputs%,}
  /usr/bin/time -f "%M %e" -o "$work/time" "$GF" pretrain -m "$work/model" -i "$inputs" -o "$work/run$n" --batch-size 8 \
    --threads 2 --stop-after-steps 2 --valid-fraction 0.01 2> "$work/log$n" >/dev/null || { cat "$work/log$n"; exit 1; }
  read -r kb secs < "$work/time"
  line=$(grep -m1 "training cells" "$work/log$n")
  cells=$(sed -E 's/.*: ([0-9,]+) training cells.*/\1/' <<< "$line")
  tokens=$(sed -E 's/.*\(([0-9,]+) tokens\).*/\1/' <<< "$line")
  echo "| $n | $cells | $tokens | $((kb / 1024)) | $secs |"
done
