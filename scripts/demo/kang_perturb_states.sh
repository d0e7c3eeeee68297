#!/usr/bin/env bash
# The whole in silico perturbation pipeline towards a goal state on kang_ifnb_harmony (IFN-beta stimulated PBMCs,
# Kang 2018): tokenize -> state embeddings (ctrl, stim) -> delete every gene in ctrl cells, measuring the shift
# towards stim -> goal_state_shift statistics. The model is the tiny random V2 test checkpoint (no pretrained weights
# can be downloaded here): this shows the mechanics end to end, not biology. With a real checkpoint
# (--model gf-20L-95M-i4096 or a local directory) the same commands give upstream's analysis.
#
#   scripts/demo/kang_perturb_states.sh [OUT_DIR] [MODEL] [CELLS]     (defaults: out/kang_demo, the tiny V2 model, 40)
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${1:-$root/out/kang_demo}"
model="${2:-$root/src/test/resources/fixtures/model/tiny_v2}"
cells="${3:-40}"
gf="$root/scripts/geneformer"
data="$root/../shared/data/kang_ifnb_harmony/kang_ifnb_harmony.h5ad"
mkdir -p "$out"
[ -n "${GENEFORMER_HOME:-}" ] || (cd "$root" && ./mvnw -q package -DskipTests)
states="state_key=condition,start_state=ctrl,goal_state=stim"
"$gf" tokenize -i "$data" -o "$out/kang.dataset" --attr condition --attr cell_type_kang --overwrite
"$gf" embed -m "$model" -i "$out/kang.dataset" -o "$out/state_embs.csv" --cell-states "$states" \
  --summary-stat exact_mean --max-ncells 400 --overwrite
"$gf" perturb -m "$model" -i "$out/kang.dataset" -o "$out/isp" --cell-states "$states" --state-embs "$out/state_embs.csv" \
  --max-ncells "$cells"
"$gf" stats -i "$out/isp" -o "$out/goal_state_shift.csv" --mode goal_state_shift --overwrite
echo "top of $out/goal_state_shift.csv:"
head -6 "$out/goal_state_shift.csv" | cut -c1-200
echo "rows: $(($(wc -l < "$out/goal_state_shift.csv") - 1)), significant (FDR < 0.05): $(awk -F, 'NR > 1 && $NF == 1' "$out/goal_state_shift.csv" | wc -l)"
