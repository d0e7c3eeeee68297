#!/usr/bin/env bash
# ON THE DEVELOPMENT MACHINE: packs into .device/ (git-ignored) what the Java program needs on the GPU machine,
# which has no internet and no JDK: .device/jre.tar.xz (a jlink'd runtime, ~20 MB) and .device/app.tar.xz (the
# application jars with the native library built with the CUDA kernels, and the datasets of ../shared/data,
# ~24 MB). With the ~28 MB working tree, each fits one call's 64 MiB, not both: carry them in two consecutive
# calls (receive_jre.sh, then tokenize_check.sh). LibTorch's CPU natives and MKL stay behind (tokenize needs
# neither); for `embed --device cuda`, stage_libtorch.sh adds LibTorch's CUDA build.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.device
rm -rf "$OUT/jre" "$OUT/app" "$OUT/data" "$OUT"/*.tar.xz
mkdir -p "$OUT/app/lib" "$OUT/data"
GF_CUDA=ON ./mvnw -q -B package -DskipTests
cp target/geneformer4j-*.jar "$OUT/app/lib/"
# everything but the platform natives of LibTorch/OpenBLAS/MKL (hundreds of MB the tokenizer never loads)
for j in target/lib/*.jar; do
    case "$(basename "$j")" in
        *-linux-x86_64.jar|*-linux-x86_64-gpu.jar|*-redist.jar) ;;
        *) cp "$j" "$OUT/app/lib/" ;;
    esac
done
mkdir -p "$OUT/app/bin" && cp scripts/geneformer "$OUT/app/bin/"
# no java.desktop: the checks draw no pictures
jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,jdk.unsupported \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$OUT/jre"
for d in ../shared/data/*/; do cp "$d"*.h5ad "$OUT/data/" 2>/dev/null || true; done
(cd "$OUT" && tar cJf jre.tar.xz jre && tar cJf app.tar.xz app data && rm -rf jre app data)
ls -la "$OUT"/*.tar.xz
