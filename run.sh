#!/usr/bin/env bash
# Installs what is missing, builds qc, and runs the bundled example: a small
# CNN trained on scikit-learn's digits, exported by PyTorch with fake
# quantization (QuantizeLinear/DequantizeLinear pairs, per-channel int8
# weights). Prints its top-1 accuracy and checks it against PyTorch's logits.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
qc_build

example=examples/digits
echo "== qcompile --report: how much of $example/model.onnx folds to integer"
"$QC_BUILD_DIR"/tools/qcompile "$example/model.onnx" --report
echo "== qcrun --reference on $(basename $example)/test_images.npy"
"$QC_BUILD_DIR"/tools/qcrun "$example/model.onnx" --reference \
  --input input="$example/test_images.npy" \
  --top1 "$example/test_labels.npy" \
  --expect logits="$example/reference_logits.npy" --tolerance 1e-3 \
  --out out/digits
