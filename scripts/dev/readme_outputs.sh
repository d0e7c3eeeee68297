#!/usr/bin/env bash
# Runs the README's examples (tokenize, embed, finetune, predict, perturb, stats) into one folder, so that
# a refactoring can be shown to leave every output byte-identical: run it before and after, then
#   scripts/dev/readme_outputs.sh --compare BEFORE AFTER
# Files whose bytes carry a time or a host (run.json, metrics.jsonl timings, logs) are compared after
# dropping those fields; everything else with cmp.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Fields that hold a speed, a time or the folder the run wrote into.
clean() {
  sed -E 's/,"(cells|tokens)_per_s":[-0-9.eE+]+//g; s/"(path|started|finished|host|pid|seconds|elapsed)" ?: ?("[^"]*"|[-0-9.eE+]+),?//g' "$1"
}
if [[ "${1:-}" == --compare ]]; then
  before=$2; after=$3; bad=0; n=0
  while IFS= read -r f; do
    n=$((n+1))
    if [[ ! -e "$after/$f" ]]; then echo "MISSING $f"; bad=1; continue; fi
    case "$f" in
      *run.json|*study.json|*.jsonl|*state.json|*trainer_state.json)
        if ! diff -q <(clean "$before/$f") <(clean "$after/$f") >/dev/null; then
          echo "DIFFERS $f"; bad=1; fi ;;
      *) cmp -s "$before/$f" "$after/$f" || { echo "DIFFERS $f"; bad=1; } ;;
    esac
  done < <(cd "$before" && find . -type f ! -name '*.log' | sort)
  echo "compared $n files: $([[ $bad == 0 ]] && echo all identical || echo differences above)"
  exit $bad
fi
out=${1:?usage: readme_outputs.sh OUTDIR | --compare BEFORE AFTER}
rm -rf "$out"; mkdir -p "$out"
g=scripts/geneformer; tiny=src/test/resources/fixtures/model/tiny_v2; pbmc=examples/pbmc68k_reduced_counts.h5ad
keep="cell_type=Dendritic,CD14+ Monocyte,CD19+ B"
$g tokenize -i $pbmc -o "$out/pbmc68k.dataset" --attr bulk_labels=cell_type --threads 2
$g embed --model $tiny -i $pbmc -o "$out/tiny.csv"
$g embed --model $tiny -i "$out/pbmc68k.dataset" -o "$out/tiny_cls.npy" --emb-mode cls --max-ncells 100 --seed 7
$g embed --model $tiny -i "$out/pbmc68k.dataset" -o "$out/tiny_packed.csv" --packed --emb-label cell_type --filter "$keep"
$g finetune cell -m $tiny -i "$out/pbmc68k.dataset" --label cell_type --filter "$keep" --epochs 3 --batch-size 4 \
   --learning-rate 2e-3 -o "$out/ft" --threads 2
$g predict -m "$out/ft/model" -i "$out/pbmc68k.dataset" --filter "$keep" --label cell_type -o "$out/ft_all_predictions.csv"
$g perturb --model $tiny -i "$out/pbmc68k.dataset" -o "$out/isp" --max-ncells 20
$g perturb --model $tiny -i "$out/pbmc68k.dataset" -o "$out/isp_gene" --max-ncells 5 --emb-mode cls_and_gene 2>/dev/null \
  || echo "(perturb cls_and_gene not run)"
$g stats -i "$out/isp" -o "$out/isp_stats.csv" --mode mixture_model
echo "outputs in $out"
