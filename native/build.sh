#!/usr/bin/env bash
# Builds libgeneformer_native (CMake: the CPU twin, and the CUDA kernels when nvcc is found) and its JavaCPP JNI
# glue into target/classes/org/geneformer4j/kernel/<platform>/, where JavaCPP's Loader finds both at run time.
# Maven runs it in process-classes. Without cmake or a C++ compiler it says so and stops cleanly: the program
# then runs its Java paths. GENEFORMER_NATIVE=off skips it; GF_CUDA=OFF|ON forces the CUDA part off or on.
# Usage: native/build.sh TARGET_DIR JAVACPP_JAR JAVA_HOME
set -euo pipefail
TARGET=$1
JAVACPP_JAR=$2
JAVA=$3/bin/java
ROOT=$(cd "$(dirname "$0")/.." && pwd)
if [ "${GENEFORMER_NATIVE:-auto}" = off ]; then
    echo "[native] skipped (GENEFORMER_NATIVE=off): the Java paths run"
    exit 0
fi
for tool in cmake c++; do
    if ! command -v "$tool" > /dev/null; then
        echo "[native] no $tool on the PATH: skipping libgeneformer_native (the Java paths run)"
        exit 0
    fi
done
BUILD=$TARGET/native
mkdir -p "$BUILD"
if ! cmake -S "$ROOT/native" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release ${GF_CUDA:+-DGF_CUDA=$GF_CUDA} > "$BUILD/configure.log" 2>&1; then
    cat "$BUILD/configure.log"
    echo "[native] cmake configure failed"
    exit 1
fi
# || true: under pipefail a log without that line (older CMake modules) would end the script without a word
grep -h 'geneformer_native:' "$BUILD/configure.log" | sed 's/^-- /[native] /' || true
if ! cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" > "$BUILD/build.log" 2>&1; then
    cat "$BUILD/build.log"
    echo "[native] build failed"
    exit 1
fi
grep -i 'warning' "$BUILD/build.log" || true
# The CPU twin's tests need no GPU; the kernel's test skips itself without one.
if ! (cd "$BUILD" && ctest --output-on-failure > ctest.log 2>&1); then
    cat "$BUILD/ctest.log"
    echo "[native] native tests failed"
    exit 1
fi
grep -E 'tests passed|Skipped' "$BUILD/ctest.log" | sed 's/^/[native] ctest: /'
CLASSES=$TARGET/classes
OUT=$CLASSES/org/geneformer4j/kernel
JNI=$(ls "$OUT"/*/libjniGeneformerNative.so 2>/dev/null | head -1 || true)
if [ -n "$JNI" ] && [ "$JNI" -nt "$OUT/GeneformerNative.class" ] && [ "$JNI" -nt "$BUILD/libgeneformer_native.so" ]; then
    echo "[native] JNI glue up to date"
    exit 0
fi
# rpath $ORIGIN only: the two libraries travel together (in the jar, then JavaCPP's cache)
"$JAVA" -cp "$JAVACPP_JAR" org.bytedeco.javacpp.tools.Builder -cp "$CLASSES" -copylibs \
    -Dplatform.includepath="$ROOT/src/main/cpp" -Dplatform.linkpath="$BUILD" -Dplatform.linkpath.prefix2= \
    org.geneformer4j.kernel.GeneformerNative > "$BUILD/javacpp.log" 2>&1 || { cat "$BUILD/javacpp.log"; echo "[native] JavaCPP build failed"; exit 1; }
echo "[native] built $(ls "$OUT"/*/lib*.so | xargs -n1 basename | tr '\n' ' ')"
