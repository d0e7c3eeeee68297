#!/usr/bin/env bash
# ON THE GPU MACHINE: keeps one carried piece of the LibTorch CUDA jar in /tmp/gf-torch (see stage_libtorch.sh).
set -euo pipefail
i=$1
mkdir -p /tmp/gf-torch
cp .device/torch-parts/part-"$i" /tmp/gf-torch/
ls /tmp/gf-torch | wc -l
