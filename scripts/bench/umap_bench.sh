#!/usr/bin/env bash
# UMAP runtime at N points (default 20,000) on this machine's cores, exact neighbours and NN-descent.
# Points: pbmc3k PCA-50 replicated with jitter (make_umap_points.py). Python with h5py, scikit-learn, pandas.
# umap-learn is not installable here, so there is no Python reference in the same run; the issue's bar is < 60 s.
# Usage: scripts/bench/umap_bench.sh [N] [OUTDIR]
set -euo pipefail
N=${1:-20000}
OUT=${2:-out/umap_bench}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PYTHON=${PYTHON:-python3}
mkdir -p "$OUT"
[ -f "$OUT/pbmc3k_pca50.csv" ] || "$PYTHON" "$ROOT/scripts/dev/umap_sklearn_check.py" "$OUT" >/dev/null
"$PYTHON" "$ROOT/scripts/bench/make_umap_points.py" "$OUT/pbmc3k_pca50.csv" "$N" "$OUT/points"
echo "cores: $(nproc)"
for knn in exact nndescent; do
  start=$(date +%s.%N)
  "$ROOT/scripts/geneformer" plot umap -i "$OUT/points.npy" --color cell_type --knn $knn \
      -o "$OUT/umap_$knn.png" --save-layout "$OUT/umap_$knn.csv" --overwrite 2> "$OUT/umap_$knn.log"
  end=$(date +%s.%N)
  printf '%s: %d points in %.1f s (whole command, JVM start and PNG included)\n' "$knn" "$N" "$(echo "$end - $start" | bc)"
done
