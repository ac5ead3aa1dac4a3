#!/bin/bash
# Model benchmark: qc (.so via qc_model_bench) vs ONNX Runtime (bench/ort/run_ort.js) on
# ResNet-18 and MobileNetV2 (fp32, PyTorch fake-quant export, ORT QDQ format), batch 1,
# 1 and 2 threads, interleaved rounds, one table. See bench/README.md.
#
#   bench/run_model_bench.sh [--models resnet18,mobilenetv2] [--formats ort,torch,fp32]
#                            [--threads 1,2] [--runs 50] [--rounds 3] [--target-cpu CPU]
#                            [--ort-only] [--json FILE]
# Environment: QC_BUILD_DIR (default build-bench), QC_BENCH_MODELS (default bench/models/out).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${QC_BUILD_DIR:-$root/build-bench}
models=${QC_BENCH_MODELS:-$root/bench/models/out}

if [[ ! -f $models/mobilenetv2_ort.onnx || ! -f $models/resnet18_ort.onnx ]]; then
  echo "run_model_bench: generating the models into $models (a minute or two)" >&2
  /usr/bin/python3 "$root/bench/models/make_bench_models.py" --out "$models" >&2
fi
if [[ ! -d $root/bench/ort/node_modules/onnxruntime-node ]]; then
  (cd "$root/bench/ort" && npm install --no-audit --no-fund >&2)
fi
if [[ ! -f $build/build.ninja ]]; then
  cmake -G Ninja -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
fi
targets=(qcompile qc_model_bench qc_runtime_pic)
ninja -C "$build" -j2 "${targets[@]}" >&2
exec /usr/bin/python3 "$root/bench/model_bench/run_model_bench.py" --build "$build" \
  --models-dir "$models" "$@"
