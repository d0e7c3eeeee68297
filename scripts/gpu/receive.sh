#!/usr/bin/env bash
# ON THE GPU MACHINE: keeps one carried piece of scripts/gpu/stage.sh's bundle in /tmp/gf-parts (the machine keeps
# /tmp while it stays warm, 30 s after each call). With --kernel it then builds and runs the kernel checks
# (kernel_check.sh), so that the first call, which pays for the machine's start, also does work.
#   run(command="bash scripts/gpu/receive.sh 00 --kernel", carry=[".device/part-00", ".device/manifest"])
#   run(command="bash scripts/gpu/receive.sh 01", carry=[".device/part-01"])   ... one call per piece
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p /tmp/gf-parts
cp ".device/part-$1" /tmp/gf-parts/
[ -f .device/manifest ] && cp .device/manifest /tmp/gf-parts/
echo "pieces here: $(ls /tmp/gf-parts | grep -c part-) of $(awk '/^parts/ {print $2}' /tmp/gf-parts/manifest 2>/dev/null || echo '?')"
if [ "${2:-}" = --kernel ]; then
    bash scripts/gpu/kernel_check.sh > /tmp/gf-kernel.log 2>&1 || echo "kernel_check failed (exit $?)" >> /tmp/gf-kernel.log
    cat /tmp/gf-kernel.log
fi
