#!/usr/bin/env bash
# Installs what is missing, builds qc, and runs the whole test suite with
# ctest; then does the same in an AddressSanitizer + UBSan build.
# QC_SKIP_SANITIZE=1 skips the sanitizer build.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
jobs=$(nproc)

echo "== build (RelWithDebInfo)"
qc_build
echo "== ctest"
ctest --test-dir "$QC_BUILD_DIR" --output-on-failure -j"$jobs"

if [ "${QC_SKIP_SANITIZE:-0}" != 1 ]; then
  echo "== build (ASan + UBSan)"
  # The kernels are compiled without sanitizer flags either way: reuse them.
  QC_BUILD_DIR="$QC_ROOT/build-asan" qc_build -DQC_SANITIZE=ON -DQC_BUILD_BENCH=OFF \
    -DQC_PREBUILT_KERNELS_DIR="$QC_BUILD_DIR/codegen/kernels"
  echo "== ctest (ASan + UBSan)"
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir "$QC_ROOT/build-asan" --output-on-failure -j"$jobs"
fi
