#!/usr/bin/env bash
# Tokenization benchmark: this program (1 core, all cores) vs upstream's Python tokenization path, same files,
# same run. Prints a markdown table (cells/s end to end: read + tokenize + write, JVM start included; peak RSS)
# and checks that both produce the same tokens.
#
#   scripts/bench/tokenize_bench.sh [SHARED_DATA_DIR] [WORK_DIR] [CELLS] [PYTHON_CELLS]
#
# Needs: /usr/bin/time, taskset, and a Python with
# h5py, numpy, scipy, datasets (e.g. python -m venv v && v/bin/pip install h5py scipy datasets).
# PYTHON_CELLS (default 20000) sizes the copy that the much slower Python path runs on; both programs
# also run on it, so every ratio compares the same file.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
shared="${1:-$root/../shared/data}"
work="${2:-/tmp/geneformer-bench}"
cells="${3:-100000}"
pycells="${4:-20000}"
py="${PYTHON:-python3}"
gf="$root/scripts/geneformer"
mkdir -p "$work"
(cd "$root" && ./mvnw -q package -DskipTests)   # never measure a stale build

measure() { # label, command...; prints "label<TAB>seconds<TAB>maxrss_kb"
  local label="$1"; shift
  local t; t="$(mktemp)"
  /usr/bin/time -f "%e %M" -o "$t" "$@" >/dev/null 2>"$work/last.log" || { cat "$work/last.log" >&2; exit 1; }
  printf '%s\t%s\t%s\n' "$label" $(cat "$t")
  rm -f "$t"
}

echo "| input | cells | program | wall s | cells/s | cells/s per core | peak RSS MB |"
echo "|---|---|---|---|---|---|---|"
for name in cellbench_dropseq_3cl pbmc3k_hvg2000_clustifyr; do
  src="$shared/$name/$name.h5ad"
  for n in "$cells" "$pycells"; do
    f="$work/${name}_$n.h5ad"
    [ -f "$f" ] || "$py" "$here/make_replicated_h5ad.py" "$src" "$f" "$n" >/dev/null
    total=$("$py" -c "import h5py,sys; print(int(h5py.File(sys.argv[1])['X'].attrs['shape'][0]))" "$f")
    runs=("java-1core|1|taskset -c 0 $gf tokenize -i $f -o $work/j1.dataset --threads 1 --overwrite"
          "java-$(nproc)cores|$(nproc)|$gf tokenize -i $f -o $work/jn.dataset --overwrite")
    [ "$n" = "$pycells" ] && runs+=("python-upstream-1core|1|taskset -c 0 $py $here/upstream_tokenize.py $f $work/py.dataset")
    for r in "${runs[@]}"; do
      IFS='|' read -r label cores cmd <<<"$r"
      rm -rf "$work/py.dataset"
      read -r _ secs rss < <(measure "$label" $cmd | tr '\t' ' ')
      awk -v n="$name" -v c="$total" -v l="$label" -v s="$secs" -v r="$rss" -v k="$cores" \
        'BEGIN { printf "| %s | %d | %s | %.2f | %.0f | %.0f | %.0f |\n", n, c, l, s, c/s, c/s/k, r/1024 }'
    done
    if [ "$n" = "$pycells" ]; then
      "$py" "$here/upstream_tokenize.py" "$f" "$work/py_stable.dataset" --stable-sort >/dev/null 2>&1
      "$py" - "$work/j1.dataset" "$work/py.dataset" "$work/py_stable.dataset" <<'PY'
import sys
from datasets import load_from_disk
a, b, c = (load_from_disk(p)["input_ids"] for p in sys.argv[1:4])
same = sum(x == y for x, y in zip(a, b))
stable = sum(x == y for x, y in zip(a, c))
print(f"<!-- tokens identical to upstream's path: {same} of {len(a)} cells; with ties broken by gene order "
      f"(np.argsort kind='stable'): {stable} of {len(a)} -->")
PY
      rm -rf "$work/py_stable.dataset"
    fi
  done
done
