#!/usr/bin/env bash
# ON THE DEVELOPMENT MACHINE: cuts LibTorch's CUDA natives (pytorch-*-linux-x86_64-gpu.jar, ~458 MB) into pieces
# under .device/torch-parts/ small enough to carry one per call (the device tool carries 64 MiB a call, the 28 MB working
# tree included). Then, from the development machine, in consecutive calls less than 30 s apart (the machine
# stays warm that long and keeps /tmp), for each piece i:
#     run(command="bash scripts/gpu/receive_part.sh $i", carry=[".device/torch-parts/part-$i"])
# and finally  run(command="bash scripts/gpu/embed_check.sh") (after receive_jre.sh and tokenize_check.sh).
# Not yet verified on a GPU machine: no session so far was lent one (docs/gpu.md).
set -euo pipefail
cd "$(dirname "$0")/../.."
JAR=$(ls ~/.m2/repository/org/bytedeco/pytorch/*/pytorch-*-linux-x86_64-gpu.jar 2>/dev/null | head -1)
[ -n "$JAR" ] || ./mvnw -q -Pgpu dependency:resolve
JAR=$(ls ~/.m2/repository/org/bytedeco/pytorch/*/pytorch-*-linux-x86_64-gpu.jar | head -1)
rm -rf .device/torch-parts && mkdir -p .device/torch-parts
split -b 32M -d -a 2 "$JAR" .device/torch-parts/part-
(cd .device/torch-parts && sha256sum "$JAR" | cut -d' ' -f1 > sha256 && ls part-* | wc -l > count)
ls .device/torch-parts
