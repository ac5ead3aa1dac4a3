#!/usr/bin/python3
# Scores a logits file produced by any runtime (qc, ONNX Runtime) for the digits example: top-1
# accuracy against test_labels.npy and agreement with reference_logits.npy (the PyTorch fake-quant model).
#   /usr/bin/python3 examples/digits/check_logits.py OUT/logits.npy [--max-abs-diff TOL]
# Exits 1 if the shape is wrong or the max abs difference exceeds TOL (when given).

import argparse
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("logits")
    ap.add_argument("--max-abs-diff", type=float, default=None,
                    help="fail if max |logits - reference_logits| exceeds this")
    args = ap.parse_args()

    labels = np.load(os.path.join(HERE, "test_labels.npy"))
    ref = np.load(os.path.join(HERE, "reference_logits.npy"))
    got = np.load(args.logits)
    if got.shape != ref.shape:
        print(f"error: logits shape {got.shape}, expected {ref.shape}")
        return 1
    got = got.astype(np.float32)
    diff = np.abs(got - ref)
    acc = float((got.argmax(1) == labels).mean())
    ref_acc = float((ref.argmax(1) == labels).mean())
    print(f"top-1 accuracy {acc:.4f} ({int((got.argmax(1) == labels).sum())}/{len(labels)}); "
          f"reference {ref_acc:.4f}")
    print(f"max abs diff vs reference {diff.max():.6g}; elements differing {(diff > 0).sum()} of "
          f"{diff.size}; argmax disagreements {int((got.argmax(1) != ref.argmax(1)).sum())}")
    if args.max_abs_diff is not None and not diff.max() <= args.max_abs_diff:
        print(f"FAIL: max abs diff {diff.max():.6g} > {args.max_abs_diff}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
