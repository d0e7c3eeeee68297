#!/usr/bin/env bash
# The pretraining run of docs/benchmarks.md ("Pretraining, a real run"): a 2-layer V1-vocabulary model pretrained
# from scratch on four shared datasets (6,419 cells, each cut to its 256 top-ranked genes), 5 % held out. Needs
# ../shared/data. One thread: on a machine shared with other jobs, several threads spin against each other (8x slower here).
set -euo pipefail
cd "$(dirname "$0")/../.."
out=${1:-/tmp/pretrain_real}
data=../shared/data
g=scripts/geneformer
mkdir -p "$out/corpus"
sets=()
for d in pbmc3k_hvg2000_clustifyr kang_ifnb_harmony kang_example_sce_muscat cellbench_dropseq_3cl; do
  $g tokenize -i "$(ls $data/$d/*.h5ad | head -1)" -o "$out/corpus/$d.dataset" --model-version V1 --input-size 256 --overwrite
  sets+=("$out/corpus/$d.dataset")
done
$g models init "$out/init" --model-version V1 --layers 2 --hidden 64 --heads 4 --intermediate 128 --max-positions 256 --seed 1
$g pretrain -m "$out/init" -i "$(IFS=,; echo "${sets[*]}")" -o "$out/run" --valid-fraction 0.05 --epochs 0.8 \
  --batch-size 16 --learning-rate 2e-3 --warmup-steps 20 --eval-steps 50 --threads 1 --overwrite
