#!/usr/bin/env bash
# Installs what is missing, builds qc, and runs the bundled example: a small
# CNN trained on scikit-learn's digits, exported by PyTorch with fake
# quantization (QuantizeLinear/DequantizeLinear pairs, per-channel int8
# weights): compiles it to a shared library (out/digits.so) and runs that,
# printing its top-1 accuracy and checking it against PyTorch's logits.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/setup.sh
qc_build

example=examples/digits
echo "== qcompile --report: how much of $example/model.onnx folds to integer"
"$QC_BUILD_DIR"/tools/qcompile "$example/model.onnx" --report
echo "== qcompile -o out/digits.so: the folded model as a self-contained shared library"
mkdir -p out
"$QC_BUILD_DIR"/tools/qcompile "$example/model.onnx" -o out/digits.so
# Integer execution may move a logit by one quantization step (0.121) against
# the literal fp32 QDQ graph (the numerics contract); --tolerance allows two.
echo "== qcrun out/digits.so on $(basename $example)/test_images.npy (vs PyTorch's logits, and the reference interpreter)"
"$QC_BUILD_DIR"/tools/qcrun out/digits.so \
  --input input="$example/test_images.npy" \
  --top1 "$example/test_labels.npy" \
  --expect logits="$example/reference_logits.npy" --tolerance 0.25 \
  --compare="$example/model.onnx" \
  --out out/digits
echo "== qcrun out/digits.so --bench 50 (batch 360, 1 thread)"
"$QC_BUILD_DIR"/tools/qcrun out/digits.so --input input="$example/test_images.npy" \
  --threads 1 --bench 50
