#!/usr/bin/env bash
# Proves that Dockerfile.cuda builds and runs on a machine with no container registry and no Docker engine:
# a debootstrapped Debian stands in for the nvidia/cuda bases, buildah builds the same Dockerfile with GPU=0
# (the CPU build), and the image then runs `geneformer --help` and the README's tokenize job as its unprivileged
# user, with the Hugging Face cache mounted as the volume /data/hf.
# The runtime base gets a user `ubuntu` with UID 1000, as the Ubuntu 24.04 (and CUDA) images have, so that the
# Dockerfile's handling of a taken UID 1000 is exercised too.
#
# Needs: root (debootstrap, chroot), Debian's package mirror, Maven Central; installs debootstrap and buildah with
# apt-get when they are missing.
# Cache: $GF_CHECK_CACHE (default .docker-base/, git-ignored): the rootfs tarball and the run's files; the images
# live in buildah's vfs storage (root: /var/lib/containers/storage), the base images are built once and reused.
# Start over: GF_CHECK_FRESH=1 (rebuilds the bases too); free the space: buildah --storage-driver vfs rmi --all
# Usage: scripts/dev/docker_check.sh 2>&1 | tee /tmp/docker_check.log
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
CACHE=${GF_CHECK_CACHE:-$ROOT/.docker-base}
MIRROR=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
DEBIAN_IMG=localhost/gf-check/debian:$SUITE
TAG=localhost/geneformer4j:check
B=(buildah --storage-driver vfs)
ISO=(--isolation chroot)

step() { printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*"; }
have_image() { "${B[@]}" inspect --type image "$1" > /dev/null 2>&1; }

[ "$(id -u)" = 0 ] || { echo "error: run as root (debootstrap and buildah's chroot isolation need it)" >&2; exit 1; }
if ! command -v debootstrap > /dev/null || ! command -v buildah > /dev/null; then
    step "installing debootstrap and buildah"
    apt-get update -q
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap buildah
fi
buildah --version
mkdir -p "$CACHE"
if [ "${GF_CHECK_FRESH:-0}" = 1 ]; then
    step "GF_CHECK_FRESH=1: dropping the cached rootfs and base images"
    rm -f "$CACHE/debian-$SUITE-minbase.tar"
    "${B[@]}" rmi -f "$TAG" "$DEBIAN_IMG" 2> /dev/null || true
    "${B[@]}" images --format '{{.Name}}:{{.Tag}}' | grep '^localhost/gf-check/' | xargs -r "${B[@]}" rmi -f || true
fi

# 1. a minimal Debian, once
ROOTFS_TAR=$CACHE/debian-$SUITE-minbase.tar
if [ -s "$ROOTFS_TAR" ]; then
    step "rootfs: reusing $ROOTFS_TAR"
else
    step "rootfs: debootstrap --variant=minbase $SUITE from $MIRROR"
    rm -rf "$CACHE/rootfs.tmp"
    if ! debootstrap --variant=minbase "$SUITE" "$CACHE/rootfs.tmp" "$MIRROR" > "$CACHE/debootstrap.log" 2>&1; then
        tail -n 30 "$CACHE/debootstrap.log"
        exit 1
    fi
    rm -rf "$CACHE/rootfs.tmp"/var/cache/apt/archives/*.deb "$CACHE/rootfs.tmp"/var/lib/apt/lists/*
    tar -C "$CACHE/rootfs.tmp" --numeric-owner -cf "$ROOTFS_TAR.tmp" .
    mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
    rm -rf "$CACHE/rootfs.tmp"
fi
ls -lh "$ROOTFS_TAR"

# 2. local base images: the rootfs, then a build base (JDK, CMake, g++) and a runtime base (JRE, user ubuntu:1000)
if have_image "$DEBIAN_IMG"; then
    step "image $DEBIAN_IMG: reusing"
else
    step "image $DEBIAN_IMG: importing the rootfs"
    ctr=$("${B[@]}" from scratch)
    "${B[@]}" add "$ctr" "$ROOTFS_TAR" /
    "${B[@]}" config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --cmd /bin/bash "$ctr"
    "${B[@]}" commit --rm "$ctr" "$DEBIAN_IMG"
fi

# This machine's own certificate authorities (a TLS-intercepting proxy's, for one) go into both bases: without
# them Maven's downloads fail in the build with "PKIX path building failed". Debian's mirror is reached over http.
EXTRA_CA=()
for crt in ${GF_CHECK_EXTRA_CA:-/usr/local/share/ca-certificates/*.crt}; do [ -f "$crt" ] && EXTRA_CA+=("$crt"); done
ca_sum=$( (cat /dev/null "${EXTRA_CA[@]}") | sha256sum | cut -c1-8)

make_base() { # variable to set, image name, shell command run as root in a container of the Debian image
    local var=$1 name=$2 script=$3 img ctr
    # the tag follows the recipe and the certificates, so that a changed recipe builds a new base
    img=$name:$SUITE-$(printf '%s %s' "$script" "$ca_sum" | sha256sum | cut -c1-12)
    printf -v "$var" '%s' "$img"
    if have_image "$img"; then
        step "image $img: reusing"
        return
    fi
    step "image $img: ${#EXTRA_CA[@]} extra CA certificate(s); $script"
    ctr=$("${B[@]}" from --pull=never "$DEBIAN_IMG")
    if [ ${#EXTRA_CA[@]} -gt 0 ]; then
        "${B[@]}" copy "$ctr" "${EXTRA_CA[@]}" /usr/local/share/ca-certificates/
    fi
    "${B[@]}" run "${ISO[@]}" --env DEBIAN_FRONTEND=noninteractive "$ctr" -- sh -euc "$script"
    "${B[@]}" commit --rm "$ctr" "$img"
}
# update-ca-certificates at the end also fills Java's trust store (ca-certificates-java's hook)
make_base BUILD_BASE localhost/gf-check/build-base "apt-get update -q && apt-get install -y -q --no-install-recommends \
openjdk-17-jdk-headless cmake g++ ca-certificates && update-ca-certificates && rm -rf /var/lib/apt/lists/*"
make_base RUNTIME_BASE localhost/gf-check/runtime-base "apt-get update -q && apt-get install -y -q --no-install-recommends \
openjdk-17-jre-headless ca-certificates && update-ca-certificates && rm -rf /var/lib/apt/lists/* \
&& useradd --create-home --uid 1000 --user-group ubuntu"

# 3. the Dockerfile itself, CPU build. --layers: a rerun after a source edit skips the dependency download;
# --force-rm: a failed step leaves no working container (each holds a full vfs copy of its layers)
step "buildah build -f Dockerfile.cuda (BUILD_BASE=$BUILD_BASE RUNTIME_BASE=$RUNTIME_BASE GPU=0)"
start=$(date +%s)
"${B[@]}" build "${ISO[@]}" --pull=never --layers --force-rm \
    --build-arg BUILD_BASE="$BUILD_BASE" --build-arg RUNTIME_BASE="$RUNTIME_BASE" --build-arg GPU=0 \
    -f "$ROOT/Dockerfile.cuda" -t "$TAG" "$ROOT"
echo "build took $(( $(date +%s) - start )) s"

# 4. run it as `docker run -v $HF:/data/hf -v $PWD:/work` would: the image's user, working directory and entrypoint
step "running the image"
RUN_DIR=$CACHE/run
rm -rf "$RUN_DIR"
mkdir -p "$RUN_DIR/work/examples" "$RUN_DIR/hf"
cp "$ROOT/examples/pbmc68k_reduced_counts.h5ad" "$RUN_DIR/work/examples/"
# the mounted folders must be writable by the image's user, UID 1000, as on a workstation whose first user it is
chown -R 1000:1000 "$RUN_DIR/work" "$RUN_DIR/hf"
"${B[@]}" inspect --type image --format \
    'config: User={{.OCIv1.Config.User}} WorkingDir={{.OCIv1.Config.WorkingDir}} Entrypoint={{.OCIv1.Config.Entrypoint}} Cmd={{.OCIv1.Config.Cmd}} Volumes={{.OCIv1.Config.Volumes}} Env={{.OCIv1.Config.Env}}' \
    "$TAG"
entrypoint=$("${B[@]}" inspect --type image --format '{{index .OCIv1.Config.Entrypoint 0}}' "$TAG")
ctr=$("${B[@]}" from --pull=never "$TAG")
trap '"${B[@]}" rm "$ctr" > /dev/null 2>&1 || true' EXIT
run() { "${B[@]}" run "${ISO[@]}" -v "$RUN_DIR/work:/work" -v "$RUN_DIR/hf:/data/hf" "$ctr" -- "$@"; }

step "as whom: id; getent passwd 1000; getent passwd ubuntu"
run sh -c 'id; getent passwd 1000; getent passwd ubuntu || echo "no user ubuntu (renamed to geneformer)"'
uid=$(run id -u)
[ "$uid" = 1000 ] || { echo "FAIL: the image runs as UID $uid, not the unprivileged geneformer (1000)" >&2; exit 1; }
[ "$(run id -un)" = geneformer ] || { echo "FAIL: UID 1000 is not named geneformer" >&2; exit 1; }
run sh -c 'if touch /opt/geneformer4j/probe 2> /dev/null; then echo "FAIL: /opt is writable"; exit 1; else echo "/opt/geneformer4j is read-only to $(id -un): ok"; fi'

step "$entrypoint --help"
run "$entrypoint" --help

step "$entrypoint tokenize -i examples/pbmc68k_reduced_counts.h5ad -o out/pbmc68k.dataset --attr bulk_labels=cell_type --overwrite"
start=$(date +%s)
run "$entrypoint" tokenize -i examples/pbmc68k_reduced_counts.h5ad -o out/pbmc68k.dataset \
    --attr bulk_labels=cell_type --overwrite
echo "tokenize took $(( $(date +%s) - start )) s"

step "checking the output (on the host, in the mounted /work)"
ds=$RUN_DIR/work/out/pbmc68k.dataset
ls -ln "$ds"
for f in dataset_info.json state.json; do
    [ -s "$ds/$f" ] || { echo "FAIL: $ds/$f is missing" >&2; exit 1; }
done
ls "$ds"/data-*.arrow > /dev/null 2>&1 || { echo "FAIL: no data-*.arrow in $ds" >&2; exit 1; }
owner=$(stat -c %u "$ds/state.json")
[ "$owner" = 1000 ] || { echo "FAIL: output owned by UID $owner, not 1000" >&2; exit 1; }
echo "dataset_info.json, state.json and $(ls "$ds"/data-*.arrow | wc -l) data-*.arrow file(s), owned by UID 1000: ok"

step "image size"
"${B[@]}" images --format '{{.Name}}:{{.Tag}}  {{.Size}}' "$TAG"
run du -sh /opt/geneformer4j /usr/lib/jvm
echo "docker_check: OK"
