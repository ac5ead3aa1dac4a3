#!/usr/bin/python3
# The model benchmark's driver (bench/run_model_bench.sh sets up and calls it): qc (.so through
# qc_model_bench) against ONNX Runtime (bench/ort/run_ort.js) on the models of
# bench/models/make_bench_models.py, batch 1, side by side, interleaved, medians of medians.
#
# For every model x format it: compiles the model with qcompile -o .so (compile time) and its
# fold report (share of MACs in integer); runs qc and ORT once on the same input and compares
# the outputs (max |diff| of the logits, top-1); then for each round and thread count times qc
# and ORT alternately (>= 50 runs each, median per process) and prints one table: the median
# over rounds of each side's median, the ratio ORT/qc, fp32 baselines, load + session time.

import argparse
import json
import os
import statistics
import subprocess
import sys
import time

import numpy as np

BENCH = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ROOT = os.path.dirname(BENCH)
FORMATS = ("ort", "torch", "fp32")


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def load_average():
    return "/".join(f"{v:.1f}" for v in os.getloadavg())


def run(cmd, timeout=1800):
    """Runs cmd; returns (ok, stdout, stderr, seconds)."""
    t0 = time.time()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return False, "", f"timed out after {timeout} s", time.time() - t0
    except OSError as e:  # e.g. qcompile not built
        return False, "", f"error: {cmd[0]}: {e.strerror}", time.time() - t0
    return p.returncode == 0, p.stdout, p.stderr, time.time() - t0


def last_json(text):
    lines = [l for l in text.splitlines() if l.startswith("{")]
    return json.loads(lines[-1]) if lines else None


def first_error(text):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    err = next((l for l in lines if "error" in l), lines[-1] if lines else "failed")
    return err[:160]


class Bench:
    def __init__(self, args):
        self.a = args
        self.out = os.path.join(args.work, "model_bench")
        os.makedirs(self.out, exist_ok=True)
        self.qcompile = os.path.join(args.build, "tools", "qcompile")
        self.qc_bench = os.path.join(args.build, "bench", "model_bench", "qc_model_bench")
        self.input = os.path.join(args.models_dir, "input_224.npy")
        self.load_before = load_average()

    def onnx_path(self, model, fmt, for_ort=False):
        # ONNX Runtime 1.16 cannot fuse PyTorch's [1]-shaped Q/DQ parameters at level 'all'
        # (make_bench_models.scalar_qparams): it runs the scalar copy of the same export.
        suffix = "_torch.ortcompat" if fmt == "torch" and for_ort else "_" + fmt
        return os.path.join(self.a.models_dir, model + suffix + ".onnx")

    def compile_qc(self, model, fmt):
        """qcompile --report=json, then -o .so; returns a dict of what happened."""
        r = {"so": None}
        src = self.onnx_path(model, fmt)
        ok, out, err, _ = run([self.qcompile, src, "--report=json"])
        if ok:
            rep = json.loads(out)
            r["integer_share"] = rep["macs"]["integer_share"]
            r["float_nodes"] = rep.get("float_nodes", [])
        else:
            r["report_error"] = first_error(err)
        if self.a.ort_only:
            return r
        so = os.path.join(self.out, f"{model}_{fmt}.so")
        cmd = [self.qcompile, src, "-o", so, "--emit=so"]
        if self.a.target_cpu:
            cmd.append("--target-cpu=" + self.a.target_cpu)
        ok, out, err, secs = run(cmd)
        if ok and os.path.exists(so) and not self.exports_abi(so):
            ok, err = False, f"{so} exports no qc_abi_version (a qcompile bug)"
        if ok and os.path.exists(so):
            r["so"], r["compile_s"] = so, secs
        else:
            r["compile_error"] = first_error(err)
        return r

    @staticmethod
    def exports_abi(so):
        ok, out, _, _ = run(["nm", "-D", "--defined-only", so])
        return ok and "qc_abi_version" in out

    def qc_time(self, so, threads, runs, outdir=None, inp=None):
        cmd = [self.qc_bench, so, "--input", "input=" + (inp or self.input), "--threads", str(threads),
               "--runs", str(runs), "--warmup", str(self.a.warmup)]
        if outdir:
            cmd += ["--out", outdir]
        ok, out, err, _ = run(cmd)
        return last_json(out) if ok else {"error": first_error(err)}

    def ort_time(self, path, threads, runs, outdir=None, inp=None):
        cmd = ["node", os.path.join(BENCH, "ort", "run_ort.js"), path, "--input",
               "input=" + (inp or self.input), "--threads", str(threads), "--bench", str(runs),
               "--warmup", str(self.a.warmup)]
        if outdir:
            cmd += ["--out", outdir]
        ok, out, err, _ = run(cmd)
        return last_json(out) if ok else {"error": first_error(err)}

    def compare(self, model, fmt, so):
        """One run of each on the same input: max |qc - ORT| of the logits and top-1."""
        qdir = os.path.join(self.out, "outputs", f"{model}_{fmt}_qc")
        odir = os.path.join(self.out, "outputs", f"{model}_{fmt}_ort")
        rq = self.qc_time(so, 1, 1, qdir)
        ro = self.ort_time(self.onnx_path(model, fmt, for_ort=True), 1, 1, odir)
        if "error" in rq or "error" in ro:
            return {"error": rq.get("error") or ro.get("error")}
        q = np.load(os.path.join(qdir, "output.npy")).astype(np.float64)
        o = np.load(os.path.join(odir, "output.npy")).astype(np.float64)
        if q.shape != o.shape:
            return {"error": f"shapes differ: qc {q.shape}, ORT {o.shape}"}
        # One quantum of the u8 logits: the smallest non-zero gap between ORT's values.
        gaps = np.diff(np.unique(o))
        quantum = float(gaps.min()) if gaps.size and fmt != "fp32" else 0.0
        diff = float(np.abs(q - o).max())
        return {"max_abs_diff": diff, "quanta": diff / quantum if quantum > 0 else None,
                "top1_equal": bool((q.argmax(-1) == o.argmax(-1)).all()),
                "logit_range": float(o.max() - o.min())}

    def main(self):
        a = self.a
        rows, info = [], {}
        for model in a.models:
            for fmt in a.formats:
                key = (model, fmt)
                c = self.compile_qc(model, fmt)
                if c.get("so"):
                    c["check"] = self.compare(model, fmt, c["so"])
                info[key] = c
                log(f"{model} {fmt}: " + json.dumps({k: v for k, v in c.items()
                                                     if k != "float_nodes"}))
        # Interleaved timing: per round, per thread count, qc then ORT (order flips each round).
        samples = {}
        for rnd in range(a.rounds):
            for model in a.models:
                for fmt in a.formats:
                    for t in a.threads:
                        so = info[(model, fmt)].get("so")
                        sides = [("qc", so), ("ort", self.onnx_path(model, fmt, True))]
                        if rnd % 2:
                            sides.reverse()
                        for side, target in sides:
                            if target is None:
                                continue
                            r = (self.qc_time if side == "qc" else self.ort_time)(
                                target, t, a.runs)
                            samples.setdefault((model, fmt, t, side), []).append(r)
                            if "error" in r:
                                log(f"round {rnd + 1} {model} {fmt} {t}T {side}: {r['error']}")
                log(f"round {rnd + 1}/{a.rounds}: {model} done")
        for model in a.models:
            for fmt in a.formats:
                for t in a.threads:
                    rows.append(self.row(model, fmt, t, info[(model, fmt)], samples))
        self.print_table(rows, info)
        if a.json:
            with open(a.json, "w") as f:
                json.dump(rows, f, indent=1)

    def layers_main(self):
        """Per-layer profile: every single-conv model of <models-dir>/layers (make_bench_models.py
        --layers), qc vs ORT, GOPS (1 MAC = 2 ops), interleaved like the model table."""
        import onnx
        a = self.a
        ldir = os.path.join(a.models_dir, "layers")
        names = sorted(f[:-5] for f in os.listdir(ldir) if f.endswith(".onnx")
                       and f.split("_")[0] in a.models)
        rows = []
        for name in names:
            src = os.path.join(ldir, name + ".onnx")
            macs = int(onnx.load(src, load_external_data=False).doc_string.split("=")[1])
            so = os.path.join(self.out, "layers", name + ".so")
            os.makedirs(os.path.dirname(so), exist_ok=True)
            err = None
            if not a.ort_only:
                cmd = [self.qcompile, src, "-o", so, "--emit=so"]
                if a.target_cpu:
                    cmd.append("--target-cpu=" + a.target_cpu)
                ok, _, e, _ = run(cmd)
                if ok and not self.exports_abi(so):
                    ok, e = False, f"{so} exports no qc_abi_version (a qcompile bug)"
                err = None if ok else first_error(e)
            inp = os.path.join(ldir, name + ".input.npy")
            for t in a.threads:
                qs, os_ = [], []
                for rnd in range(a.rounds):
                    if not a.ort_only and err is None:
                        qs.append(self.qc_time(so, t, a.runs, inp=inp))
                    os_.append(self.ort_time(src, t, a.runs, inp=inp))
                q, o = self.median_of(qs), self.median_of(os_)
                rows.append((name, t, macs, q, o, err or next(
                    (r["error"] for r in qs + os_ if "error" in r), None)))
                log(f"{name} {t}T: qc {q} ms, ORT {o} ms")

        def gops(macs, ms):
            return "-" if not ms else f"{2 * macs / ms / 1e6:.0f}"

        print(f"\nPer layer (single-conv QDQ models, batch 1), medians over {a.rounds} rounds "
              f"of {a.runs} runs; load average {self.load_before} before, {load_average()} "
              f"after\n")
        print("| layer | thr | MMAC | qc ms | qc GOPS | ORT ms | ORT GOPS | ORT/qc | note |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, t, macs, q, o, err in rows:
            ratio = f"{o / q:.2f}x" if q and o else "-"
            print(f"| {name} | {t} | {macs / 1e6:.1f} | {f'{q:.3f}' if q else '-'} | "
                  f"{gops(macs, q)} | {f'{o:.3f}' if o else '-'} | {gops(macs, o)} | {ratio} | "
                  f"{err or ''} |")

    @staticmethod
    def median_of(rs, field="median_ms"):
        vals = [r[field] for r in rs if r and field in r]
        return statistics.median(vals) if vals else None

    def row(self, model, fmt, t, c, samples):
        qs = samples.get((model, fmt, t, "qc"), [])
        os_ = samples.get((model, fmt, t, "ort"), [])
        qc_ms, ort_ms = self.median_of(qs), self.median_of(os_)
        chk = c.get("check", {})
        return {"model": model, "format": fmt, "threads": t, "qc_ms": qc_ms, "ort_ms": ort_ms,
                "ratio": ort_ms / qc_ms if qc_ms and ort_ms else None,
                "qc_rounds": [r.get("median_ms") for r in qs],
                "ort_rounds": [r.get("median_ms") for r in os_],
                "load_ms": self.median_of(qs, "load_ms"),
                "create_ms": self.median_of(qs, "create_ms"),
                "compile_s": c.get("compile_s"), "integer_share": c.get("integer_share"),
                "check": chk, "qc_error": c.get("compile_error") or next(
                    (r["error"] for r in qs if "error" in r), None),
                "ort_error": next((r["error"] for r in os_ if "error" in r), None)}

    def print_table(self, rows, info):
        def f(v, fmt="{:.2f}"):
            return "-" if v is None else fmt.format(v)

        print(f"\nqc vs ONNX Runtime, batch 1, medians over {self.a.rounds} interleaved rounds "
              f"of {self.a.runs} runs (ms); load average {self.load_before} before, "
              f"{load_average()} after (2 vCPUs: above ~0.5 the numbers are noise)\n")
        hdr = ("model", "format", "thr", "qc ms", "ORT ms", "ORT/qc", "int MACs", "compile s",
               "load+create ms", "max abs diff (quanta)", "top1")
        print("| " + " | ".join(hdr) + " |")
        print("|" + "---|" * len(hdr))
        for r in rows:
            chk = r["check"]
            diff = "-" if "max_abs_diff" not in chk else (
                f"{chk['max_abs_diff']:.3g} ({f(chk['quanta'], '{:.1f}')})")
            top1 = "-" if "top1_equal" not in chk else ("same" if chk["top1_equal"] else "DIFF")
            lc = None if r["load_ms"] is None else r["load_ms"] + (r["create_ms"] or 0)
            print("| " + " | ".join([
                r["model"], r["format"], str(r["threads"]), f(r["qc_ms"]), f(r["ort_ms"]),
                f(r["ratio"], "{:.2f}x"), f(r["integer_share"], "{:.1%}"),
                f(r["compile_s"], "{:.1f}"), f(lc), diff, top1]) + " |")
        by = {(r["model"], r["format"], r["threads"]): r for r in rows}
        lines = []
        for (m, fmt, t), r in by.items():
            fp = by.get((m, "fp32", t))
            if fmt == "fp32" or fp is None:
                continue
            for side, key in (("qc", "qc_ms"), ("ORT", "ort_ms")):
                if r[key] and fp[key]:
                    lines.append(f"  {m} {fmt} {t}T: {side} int8 is {fp[key] / r[key]:.2f}x "
                                 f"{side} fp32 ({fp[key]:.2f} ms -> {r[key]:.2f} ms)")
            if r["qc_ms"] and fp["ort_ms"]:
                lines.append(f"  {m} {fmt} {t}T: qc int8 is {fp['ort_ms'] / r['qc_ms']:.2f}x "
                             f"ORT fp32")
        if lines:
            print("\nint8 vs fp32:\n" + "\n".join(lines))
        errors = [f"  {r['model']} {r['format']} {r['threads']}T {side}: {r[k]}"
                  for r in rows for side, k in (("qc", "qc_error"), ("ORT", "ort_error"))
                  if r[k]]
        for (m, fmt), c in info.items():
            if "error" in c.get("check", {}):
                errors.append(f"  {m} {fmt} output check: {c['check']['error']}")
            for n in c.get("float_nodes", [])[:5]:
                errors.append(f"  {m} {fmt} left float: {n.get('node')}: {n.get('reason')}")
        if errors:
            print("\nnot measured / notes:\n" + "\n".join(dict.fromkeys(errors)))


def main():
    ap = argparse.ArgumentParser(description="qc vs ONNX Runtime model benchmark")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    ap.add_argument("--models-dir", default=os.path.join(BENCH, "models", "out"))
    ap.add_argument("--work", default=None, help="where .so files and outputs go "
                    "(default: <models-dir>)")
    ap.add_argument("--models", default="resnet18,mobilenetv2")
    ap.add_argument("--formats", default=",".join(FORMATS))
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--runs", type=int, default=50)
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--target-cpu", default=None)
    ap.add_argument("--ort-only", action="store_true", help="skip qc (no code generator)")
    ap.add_argument("--json", default=None, help="also write the rows as JSON here")
    ap.add_argument("--layers", action="store_true",
                    help="per-layer profile over <models-dir>/layers instead of whole models")
    a = ap.parse_args()
    a.models = a.models.split(",")
    a.formats = a.formats.split(",")
    a.threads = [int(t) for t in a.threads.split(",")]
    a.work = a.work or a.models_dir
    if a.runs < 1 or a.rounds < 1:
        sys.exit("run_model_bench: --runs and --rounds must be >= 1")
    for f in a.formats:
        if f not in FORMATS:
            sys.exit(f"run_model_bench: unknown format '{f}' (known: {', '.join(FORMATS)})")
    b = Bench(a)
    b.layers_main() if a.layers else b.main()


if __name__ == "__main__":
    main()
