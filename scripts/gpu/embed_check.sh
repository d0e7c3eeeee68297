#!/usr/bin/env bash
# ON THE GPU MACHINE, after receive_jre.sh, tokenize_check.sh and every piece (receive_part.sh): reassembles the LibTorch CUDA jar, puts it on the
# classpath, points the CUDA runtime libraries at the ones PyTorch's wheels installed there, and runs
# `geneformer embed --device cuda` on the tiny test model against `--device cpu`.
set -euo pipefail
[ -x /tmp/gf/jre/bin/java ] && [ -d /tmp/gf/app ] || { echo "run receive_jre.sh and tokenize_check.sh first"; exit 1; }
export JAVA_HOME=/tmp/gf/jre GENEFORMER_HOME=/tmp/gf/app
cat /tmp/gf-torch/part-* > /tmp/gf/app/lib/pytorch-linux-x86_64-gpu.jar
NV=$(python3 -c 'import nvidia, os; print(os.path.dirname(nvidia.__path__[0]))' 2>/dev/null || true)
export LD_LIBRARY_PATH=$(ls -d "$NV"/nvidia/*/lib 2>/dev/null | tr '\n' ':')${LD_LIBRARY_PATH:-}
export GENEFORMER_JAVA_OPTS="-Dorg.bytedeco.javacpp.pathsFirst=true"
G=/tmp/gf/app/bin/geneformer
$G tokenize -i /tmp/gf/data/pbmc68k_reduced_counts.h5ad -o /tmp/gf-emb.dataset --overwrite
for dev in cpu cuda; do
    $G embed -m src/test/resources/fixtures/model/tiny_v2 -i /tmp/gf-emb.dataset -o /tmp/gf-emb.$dev.csv --device $dev --overwrite
done
python3 - <<'PY'
import numpy as np
a = np.loadtxt("/tmp/gf-emb.cpu.csv", delimiter=",", skiprows=1, usecols=range(1, 17))
b = np.loadtxt("/tmp/gf-emb.cuda.csv", delimiter=",", skiprows=1, usecols=range(1, 17))
print("cells", len(a), "max |cpu - cuda| =", np.abs(a - b).max())
PY
