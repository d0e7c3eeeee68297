#!/usr/bin/env bash
# The int8 matrix products LibTorch offers this CPU, against fp32, on an encoder's linear shapes (issue 17; the
# figures behind decision 0011's choice of kernel). Arguments: TOKENS HIDDEN INTERMEDIATE THREADS
# (default 2048 768 3072 2: V2-104M's layers, the batch the quantization benchmark uses, this machine's cores).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -q -o -B test-compile >/dev/null
exec java -cp "target/test-classes:target/classes:target/lib/*" org.geneformer4j.bench.Int8Kernels "$@"
