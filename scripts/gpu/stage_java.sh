#!/usr/bin/env bash
# ON THE DEVELOPMENT MACHINE: puts into .device/ (git-ignored; name it in the device tool's `carry`) what the
# Java program needs on the GPU machine, which has no internet and no JDK: a jlink'd runtime, the application jars
# (with the native library built for Hopper), and the datasets of ../shared/data. LibTorch's CPU natives stay
# behind (tokenize needs none); for `embed --device cuda`, stage_libtorch.sh adds the CUDA ones.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.device
rm -rf "$OUT/jre" "$OUT/app" "$OUT/data"
mkdir -p "$OUT/app/lib" "$OUT/data"
GF_CUDA=ON ./mvnw -q -B package -DskipTests
cp target/geneformer4j-*.jar "$OUT/app/lib/"
# everything but the platform natives of LibTorch/OpenBLAS/MKL (hundreds of MB the tokenizer never loads)
for j in target/lib/*.jar; do
    case "$(basename "$j")" in
        *-linux-x86_64.jar|*-linux-x86_64-gpu.jar) ;;
        *) cp "$j" "$OUT/app/lib/" ;;
    esac
done
mkdir -p "$OUT/app/bin" && cp scripts/geneformer "$OUT/app/bin/"
jlink --add-modules java.base,java.logging,java.management,java.naming,java.sql,java.xml,java.desktop,jdk.unsupported,jdk.crypto.ec \
    --strip-debug --no-header-files --no-man-pages --compress=2 --output "$OUT/jre"
for d in ../shared/data/*/; do cp "$d"*.h5ad "$OUT/data/" 2>/dev/null || true; done
du -sh "$OUT/jre" "$OUT/app" "$OUT/data"
