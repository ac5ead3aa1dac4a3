#!/usr/bin/python3
# Self-test for run_ort.js and its .npy reader/writer: round-trips several dtypes and ranks through
# a tiny Identity/Add model, checks values against numpy, and checks that bad input is rejected.
# Run from anywhere after `npm install` in bench/ort:  /usr/bin/python3 bench/ort/selftest.py

import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = [  # name, numpy dtype, ONNX type, shape
    ("f32", np.float32, TensorProto.FLOAT, (2, 3, 4)),
    ("f64", np.float64, TensorProto.DOUBLE, (5,)),
    ("i64", np.int64, TensorProto.INT64, (3, 2)),
    ("i32", np.int32, TensorProto.INT32, ()),
    ("u8", np.uint8, TensorProto.UINT8, (4, 1, 2)),
    ("i8", np.int8, TensorProto.INT8, (7,)),
    ("b", np.bool_, TensorProto.BOOL, (2, 2)),
    ("empty", np.float32, TensorProto.FLOAT, (0, 3)),
]


def make_model(path):
    nodes, inputs, outputs = [], [], []
    for name, _, ty, shape in CASES:
        inputs.append(helper.make_tensor_value_info("in_" + name, ty, shape))
        outputs.append(helper.make_tensor_value_info("out/" + name, ty, shape))
        nodes.append(helper.make_node("Identity", ["in_" + name], ["out/" + name]))
    # One real computation so the test is not only a copy: out_sum = in_f32 + in_f32.
    outputs.append(helper.make_tensor_value_info("out_sum", TensorProto.FLOAT, CASES[0][3]))
    nodes.append(helper.make_node("Add", ["in_f32", "in_f32"], ["out_sum"]))
    graph = helper.make_graph(nodes, "selftest", inputs, outputs)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 7
    onnx.checker.check_model(model)
    onnx.save(model, path)


def run(args):
    return subprocess.run(["node", os.path.join(HERE, "run_ort.js")] + args, capture_output=True,
                          text=True)


def main():
    rng = np.random.default_rng(0)
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL:", what)

    with tempfile.TemporaryDirectory() as tmp:
        model = os.path.join(tmp, "m.onnx")
        make_model(model)
        args, data = [model], {}
        for i, (name, dt, _, shape) in enumerate(CASES):
            if dt == np.bool_:
                a = rng.integers(0, 2, shape).astype(np.bool_)
            elif np.issubdtype(dt, np.integer):
                info = np.iinfo(dt)
                a = rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
            else:
                a = rng.standard_normal(shape).astype(dt)
            data[name] = a
            f = os.path.join(tmp, name + ".npy")
            # Alternate between .npy format versions 1.0 and 2.0 to exercise both header forms.
            with open(f, "wb") as fh:
                np.lib.format.write_array(fh, a, version=(1, 0) if i % 2 == 0 else (2, 0))
            args += ["--input", f"in_{name}={f}"]
        out = os.path.join(tmp, "out")
        r = run(args + ["--out", out, "--bench", "3", "--warmup", "1", "--threads", "1"])
        check(r.returncode == 0, f"run_ort.js failed: {r.stderr}")
        if r.returncode == 0:
            for name, dt, _, shape in CASES:
                got = np.load(os.path.join(out, f"out_{name}.npy"))  # '/' in the name becomes '_'
                check(got.dtype == dt and got.shape == shape and np.array_equal(got, data[name]),
                      f"round trip of {name}: got {got.dtype} {got.shape}")
            got = np.load(os.path.join(out, "out_sum.npy"))
            check(np.array_equal(got, data["f32"] * 2), "out_sum != 2 * in_f32")
            bench = r.stdout.strip().splitlines()
            check(len(bench) == 1 and '"median_ms"' in bench[0] and '"p90_ms"' in bench[0],
                  f"bench line: {r.stdout!r}")
            with open(os.path.join(out, "out_f32.npy"), "rb") as fh:
                header_end = fh.read().index(b"\n") + 1
            check(header_end % 64 == 0, f"npy header length {header_end} not a multiple of 64")

        # Error cases: each must exit non-zero with a message, not crash or succeed.
        base = [model] + [x for name, *_ in CASES[1:] for x in
                          ("--input", f"in_{name}={os.path.join(tmp, name + '.npy')}")]
        fortran = os.path.join(tmp, "fortran.npy")
        np.save(fortran, np.asfortranarray(data["f32"]))
        bad = os.path.join(tmp, "bad.npy")
        with open(bad, "wb") as fh:
            fh.write(b"not an npy file at all")
        short = os.path.join(tmp, "short.npy")
        with open(os.path.join(tmp, "f32.npy"), "rb") as fh:
            blob = fh.read()
        with open(short, "wb") as fh:
            fh.write(blob[:-4])
        wrong_type = os.path.join(tmp, "wrong_type.npy")
        np.save(wrong_type, data["f32"].astype(np.float64))
        for what, extra, msg in [
            ("missing input", [], "missing --input"),
            ("fortran order", ["--input", f"in_f32={fortran}"], "fortran_order"),
            ("bad magic", ["--input", f"in_f32={bad}"], "bad magic"),
            ("truncated data", ["--input", f"in_f32={short}"], "data bytes"),
            ("unknown input", ["--input", f"nope={bad}"], "no input 'nope'"),
            ("wrong dtype", ["--input", f"in_f32={wrong_type}"], ""),
            ("bad threads", ["--input", f"in_f32={os.path.join(tmp, 'f32.npy')}", "--threads", "0"],
             "--threads"),
        ]:
            r = run(base + extra)
            check(r.returncode != 0 and "run_ort: error:" in r.stderr and msg in r.stderr,
                  f"{what}: rc={r.returncode} stderr={r.stderr.strip()!r}")

    print("selftest:", "FAILED" if failures else "all passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
