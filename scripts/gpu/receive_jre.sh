#!/usr/bin/env bash
# ON THE GPU MACHINE, first of two consecutive calls: unpacks the carried runtime into /tmp/gf (kept while the
# machine stays warm).  run(command="bash scripts/gpu/receive_jre.sh", carry=[".device/jre.tar.xz"])
set -euo pipefail
mkdir -p /tmp/gf && tar xJf .device/jre.tar.xz -C /tmp/gf && /tmp/gf/jre/bin/java -version 2>&1 | head -1
