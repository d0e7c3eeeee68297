#!/usr/bin/env bash
# ON THE DEVELOPMENT MACHINE: packs everything the GPU verification (scripts/gpu/verify.sh) needs on a machine with
# no JDK, no internet and 64 MiB per call, and cuts it into pieces that each fit one call beside the working tree.
#
#   scripts/gpu/stage.sh            -> .device/part-00 ... part-NN, .device/manifest (git-ignored)
#   scripts/gpu/stage.sh --app      -> .device/app.tar.xz: only the application jar and launcher, a few MB that
#                                      the verify call carries itself; the pieces (the runtime, ~10 minutes of xz
#                                      on 2 cores) stay valid across code changes, not across pom.xml changes
#
# What travels (docs/gpu.md has the sizes):
#   jre/      a jlink'd Java runtime
#   jre/fontlibs  libfreetype, libharfbuzz and what they need (for the figures), which the GPU image lacks
#   app/      the jars (the native tokenizer library inside, with its CUDA kernels), the launcher; not LibTorch's
#             CPU natives nor MKL (the GPU machine uses LibTorch's CUDA build, whose CPU part links OpenBLAS)
#   torch/    LibTorch's CUDA build unpacked as a class-path folder, stripped of symbols, its GPU code cut to
#             sm_90 (prune_fatbin.py): 870 MB of natives become ~130 MB compressed
#   data/     the shared datasets (../shared/data), which the working tree does not hold
# The CUDA runtime libraries (cudart, cuBLAS, cuDNN, NCCL, ...) are not carried: the GPU machine's PyTorch wheels
# hold them, and verify.sh points the loader at them.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
OUT=.device
ARCH=${ARCH:-90}
# one call carries 64 MiB with the working tree: leave the tree plus a margin
tree=$(git ls-files -z | xargs -0 du -cb 2>/dev/null | tail -1 | cut -f1)
part=$(( 62 * 1024 * 1024 - tree ))
[ "$part" -gt $((8 * 1024 * 1024)) ] || { echo "error: the working tree ($tree bytes) leaves no room to carry pieces" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/gf-stage.XXXXXX")
trap 'rm -rf "$work"' EXIT

# the font libraries the Java runtime's libfontmanager loads from the system (for training_curves.png): the GPU
# machine's image lacks them, so they travel in jre/fontlibs, which verify.sh puts last on LD_LIBRARY_PATH
font_libs() {
    mkdir -p "$1"
    for l in libfreetype.so.6 libharfbuzz.so.0 libgraphite2.so.3 libpng16.so.16 libbrotlidec.so.1 libbrotlicommon.so.1 \
             libglib-2.0.so.0 libpcre2-8.so.0; do
        f=$(ldconfig -p | awk -v l="$l" '$1 == l && /x86-64/ {print $NF; exit}')
        [ -n "$f" ] && cp -L "$f" "$1/"
    done
}

if [ "${1:-}" = --app ]; then
    # built from a clone of HEAD: the committed code, and no rebuild under a run that uses target/
    git clone -q "$root" "$work/src"
    (cd "$work/src" && ./mvnw -q -B -ntp package -DskipTests)
    mkdir -p "$work/gf/app/lib" "$work/gf/app/bin" "$OUT"
    cp "$work/src"/target/geneformer4j-*.jar "$work/gf/app/lib/"
    cp "$work/src/scripts/geneformer" "$work/gf/app/bin/"
    font_libs "$work/gf/jre/fontlibs"
    tar -C "$work" -cf - gf | xz -T0 -6 > "$OUT/app.tar.xz"
    echo "app $(git rev-parse --short HEAD)" > "$OUT/app.manifest"
    ls -la "$OUT/app.tar.xz"
    exit 0
fi
mkdir -p "$work/gf/app/lib" "$work/gf/app/bin" "$work/gf/data" "$work/gf/torch"

./mvnw -q -B -ntp package -DskipTests
./mvnw -q -B -ntp -Pgpu dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$work/deps"
cp target/geneformer4j-*.jar "$work/gf/app/lib/"
for j in "$work"/deps/*.jar; do
    case "$(basename "$j")" in
        pytorch-*-linux-x86_64-gpu.jar) gpujar=$j ;;
        pytorch-*-linux-x86_64.jar|mkl-*) ;;
        *) cp "$j" "$work/gf/app/lib/" ;;
    esac
done
unzip -l "$work/gf/app/lib"/geneformer4j-*.jar > "$work/jar.list"
grep -q libgeneformer_native.so "$work/jar.list" \
    || { echo "error: the jar holds no native tokenizer library (nvcc and cmake needed here)" >&2; exit 1; }
cp scripts/geneformer "$work/gf/app/bin/"

(cd "$work/gf/torch" && unzip -q "$gpujar" 'org/bytedeco/pytorch/linux-x86_64-gpu/*')
lib="$work/gf/torch/org/bytedeco/pytorch/linux-x86_64-gpu"
python3 scripts/gpu/prune_fatbin.py "$lib/libtorch_cuda.so" "$ARCH"
for so in "$lib"/*.so*; do strip --strip-unneeded "$so"; done

jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,java.desktop,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --output "$work/gf/jre"
font_libs "$work/gf/jre/fontlibs"
for f in ../shared/data/*/*.h5ad; do [ -e "$f" ] && cp "$f" "$work/gf/data/"; done

rm -rf "$OUT" && mkdir -p "$OUT"
tar -C "$work" -cf - gf | xz -T0 -6 > "$work/bundle.tar.xz"
split -b "$part" -d -a 2 "$work/bundle.tar.xz" "$OUT/part-"
{
    echo "parts $(ls "$OUT"/part-* | wc -l)"
    echo "sha256 $(sha256sum "$work/bundle.tar.xz" | cut -d' ' -f1)"
    echo "bytes $(stat -c %s "$work/bundle.tar.xz")"
    echo "commit $(git rev-parse --short HEAD)$(git diff --quiet || echo +dirty)"
} > "$OUT/manifest"
cat "$OUT/manifest"
ls -la "$OUT"
echo "next: docs/gpu.md, 'The calls'"
