#!/usr/bin/python3
# Generates the model benchmark's networks: ResNet-18 and MobileNetV2 at 224x224 (random weights,
# fixed seeds, BatchNorm folded), each as fp32, PyTorch fake-quant export and ORT QDQ format.
#
#   /usr/bin/python3 bench/models/make_bench_models.py [--out DIR] [--models resnet18,mobilenetv2]
#
# Writes DIR/<arch>_{fp32,torch,ort}.onnx, DIR/<arch>_torch.ortcompat.onnx (the PyTorch export with
# scalar Q/DQ parameters, for ONNX Runtime: see scalar_qparams) and DIR/input_224.npy (default
# DIR: bench/models/out). --layers adds DIR/layers/: one single-conv model per distinct layer.
# The fake-quant modules and the hand-built QDQ writer are tests/models/make_models.py's (the same
# two formats the folding tests use); this file only adds the two architectures.

import argparse
import io
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.ao.quantization as tq

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "models"))
import make_models as mm  # noqa: E402  (act_fq, weight_fq, FqLinear, QdqBuilder, ...)

SEED = 2024
CALIBRATION_BATCHES = 4
CALIBRATION_BATCH = 2
IMAGE = (3, 224, 224)
CLASSES = 1000


class ConvBn(nn.Module):
    """Conv2d (He init, as torchvision) with a random-statistics BatchNorm folded in, weights
    fake-quantized per output channel. Same attributes as make_models.FqConv (QdqBuilder.conv)."""

    def __init__(self, cin, cout, k, stride=1, padding=0, groups=1):
        super().__init__()
        w = torch.empty(cout, cin // groups, k, k)
        nn.init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu")
        gamma = 1.0 + 0.1 * torch.randn(cout)
        beta = 0.1 * torch.randn(cout)
        mean = 0.1 * torch.randn(cout)
        var = 1.0 + 0.1 * torch.rand(cout)
        factor = gamma / torch.sqrt(var + 1e-5)
        self.weight = nn.Parameter(w * factor.reshape(-1, 1, 1, 1))
        self.bias = nn.Parameter(beta - mean * factor)
        self.stride, self.padding, self.groups = stride, padding, groups
        self.wfq = mm.weight_fq()

    def forward(self, x):
        return F.conv2d(x, self.wfq(self.weight), self.bias, self.stride, self.padding, 1,
                        self.groups)


# --------------------------------------------------------------------------------------------
# ResNet-18: BasicBlock x [2, 2, 2, 2]
# --------------------------------------------------------------------------------------------

class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = ConvBn(cin, cout, 3, stride, 1)
        self.fq1 = mm.act_fq()
        self.conv2 = ConvBn(cout, cout, 3, 1, 1)
        self.fq2 = mm.act_fq()
        self.down = ConvBn(cin, cout, 1, stride, 0) if stride != 1 or cin != cout else None
        self.fq_down = mm.act_fq() if self.down is not None else None
        self.fq_out = mm.act_fq()

    def forward(self, x):
        y = self.fq1(F.relu(self.conv1(x)))
        y = self.fq2(self.conv2(y))
        skip = self.fq_down(self.down(x)) if self.down is not None else x
        return self.fq_out(F.relu(skip + y))


class ResNet18(nn.Module):
    def __init__(self):
        super().__init__()
        self.fq_in = mm.act_fq()
        self.stem = ConvBn(3, 64, 7, 2, 3)
        self.fq_stem = mm.act_fq()
        self.fq_pool = mm.act_fq()
        blocks, cin = [], 64
        for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
            blocks += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
            cin = cout
        self.blocks = nn.ModuleList(blocks)
        self.fq_gap = mm.act_fq()
        self.fc = mm.FqLinear(512, CLASSES)
        self.fq_out = mm.act_fq()

    def forward(self, x):
        x = self.fq_stem(F.relu(self.stem(self.fq_in(x))))
        x = self.fq_pool(F.max_pool2d(x, 3, 2, 1))
        for block in self.blocks:
            x = block(x)
        x = torch.flatten(self.fq_gap(F.adaptive_avg_pool2d(x, 1)), 1)
        return self.fq_out(self.fc(x))


# --------------------------------------------------------------------------------------------
# MobileNetV2, width 1.0: inverted residuals, ReLU6
# --------------------------------------------------------------------------------------------

MBV2_SETTINGS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                 (6, 160, 3, 2), (6, 320, 1, 1))  # expansion t, channels c, repeats n, stride s


class InvertedResidual(nn.Module):
    def __init__(self, cin, cout, stride, expand):
        super().__init__()
        hidden = cin * expand
        self.expand = ConvBn(cin, hidden, 1) if expand != 1 else None
        self.fq_expand = mm.act_fq() if expand != 1 else None
        self.dw = ConvBn(hidden, hidden, 3, stride, 1, groups=hidden)
        self.fq_dw = mm.act_fq()
        self.project = ConvBn(hidden, cout, 1)
        self.fq_project = mm.act_fq()
        self.residual = stride == 1 and cin == cout
        self.fq_out = mm.act_fq() if self.residual else None

    def forward(self, x):
        y = self.fq_expand(F.relu6(self.expand(x))) if self.expand is not None else x
        y = self.fq_dw(F.relu6(self.dw(y)))
        y = self.fq_project(self.project(y))
        return self.fq_out(x + y) if self.residual else y


class MobileNetV2(nn.Module):
    def __init__(self):
        super().__init__()
        self.fq_in = mm.act_fq()
        self.stem = ConvBn(3, 32, 3, 2, 1)
        self.fq_stem = mm.act_fq()
        blocks, cin = [], 32
        for t, c, n, s in MBV2_SETTINGS:
            for i in range(n):
                blocks.append(InvertedResidual(cin, c, s if i == 0 else 1, t))
                cin = c
        self.blocks = nn.ModuleList(blocks)
        self.head = ConvBn(cin, 1280, 1)
        self.fq_head = mm.act_fq()
        self.fq_gap = mm.act_fq()
        self.fc = mm.FqLinear(1280, CLASSES)
        self.fq_out = mm.act_fq()

    def forward(self, x):
        x = self.fq_stem(F.relu6(self.stem(self.fq_in(x))))
        for block in self.blocks:
            x = block(x)
        x = self.fq_head(F.relu6(self.head(x)))
        x = torch.flatten(self.fq_gap(F.adaptive_avg_pool2d(x, 1)), 1)
        return self.fq_out(self.fc(x))


# --------------------------------------------------------------------------------------------
# Export: fp32 and PyTorch fake-quant via torch.onnx.export; ORT QDQ format via QdqBuilder.
# --------------------------------------------------------------------------------------------

def calibrate(model):
    model.eval()
    model.apply(tq.enable_observer)
    model.apply(tq.enable_fake_quant)
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(torch.randn(CALIBRATION_BATCH, *IMAGE))
    model.apply(tq.disable_observer)


def export(model, name, fake_quant):
    model.apply(tq.enable_fake_quant if fake_quant else tq.disable_fake_quant)
    buf = io.BytesIO()
    torch.onnx.export(model, torch.randn(1, *IMAGE), buf, opset_version=13,
                      input_names=["input"], output_names=["output"], do_constant_folding=True,
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}})
    model.apply(tq.enable_fake_quant)
    m = onnx.load_from_string(buf.getvalue())
    m.graph.name = name
    onnx.checker.check_model(m)
    return m


def ort_conv(b, name, x, conv, act):
    """DQ(x), DQ(w), DQ(b) -> Conv [-> Relu/Clip(0,6)] -> Q -> DQ."""
    y = b.conv(name, x, conv)
    if act == "relu":
        y = mm.relu(b, y)
    elif act == "relu6":
        y = mm.clip6(b, y)
    return b.qdq(y)


def ort_head(b, x, fc):
    """GlobalAveragePool -> QDQ -> Flatten -> QDQ -> Gemm(transB=1) -> Q -> DQ('output')."""
    x = b.qdq(b.node("GlobalAveragePool", [x], F.adaptive_avg_pool2d(b.vals[x], 1)))
    x = b.qdq(b.node("Flatten", [x], torch.flatten(b.vals[x], 1), axis=1))
    y = b.gemm_transb("fc", x, fc)
    return mm.finish(b, y, [mm.f32_io("input", ["N", *IMAGE])], ["N", CLASSES], 13)


def resnet18_ort(ref, calib):
    b = mm.QdqBuilder("resnet18_ort", act_signed=False)
    b.vals["input"] = calib
    x = b.qdq("input")
    x = ort_conv(b, "stem", x, ref.stem, "relu")
    x = b.qdq(b.node("MaxPool", [x], F.max_pool2d(b.vals[x], 3, 2, 1), kernel_shape=[3, 3],
                     strides=[2, 2], pads=[1, 1, 1, 1]))
    for i, blk in enumerate(ref.blocks):
        p = f"block{i}"
        y = ort_conv(b, p + ".conv1", x, blk.conv1, "relu")
        y = ort_conv(b, p + ".conv2", y, blk.conv2, None)
        skip = ort_conv(b, p + ".down", x, blk.down, None) if blk.down is not None else x
        x = b.qdq(mm.relu(b, mm.add(b, skip, y)))
    return ort_head(b, x, ref.fc)


def mobilenetv2_ort(ref, calib):
    b = mm.QdqBuilder("mobilenetv2_ort", act_signed=False)
    b.vals["input"] = calib
    x = b.qdq("input")
    x = ort_conv(b, "stem", x, ref.stem, "relu6")
    for i, blk in enumerate(ref.blocks):
        p = f"block{i}"
        y = ort_conv(b, p + ".expand", x, blk.expand, "relu6") if blk.expand is not None else x
        y = ort_conv(b, p + ".dw", y, blk.dw, "relu6")
        y = ort_conv(b, p + ".project", y, blk.project, None)
        x = b.qdq(mm.add(b, x, y)) if blk.residual else y
    x = ort_conv(b, "head", x, ref.head, "relu6")
    return ort_head(b, x, ref.fc)


def layer_models(ref, arch, out_dir):
    """One single-conv QDQ model (ORT format, static shape) per distinct conv of `ref`, for a
    per-layer profile: u8 input -> DQ -> Conv -> Relu -> Q -> u8 output, with the layer's own
    weights (u8 I/O: the time is the conv's, not float conversions or the binding's copies)."""
    shapes = {}

    def record(module, inputs, output):  # returns None: the output stays as it is
        shapes.setdefault(module, tuple(inputs[0].shape[1:]))

    hooks = [m.register_forward_hook(record) for m in ref.modules() if isinstance(m, ConvBn)]
    ref.apply(tq.enable_fake_quant)
    with torch.no_grad():
        ref(torch.randn(1, *IMAGE))
    for h in hooks:
        h.remove()
    os.makedirs(out_dir, exist_ok=True)
    seen = set()
    for conv, (cin, h, w) in shapes.items():
        k, cout = conv.weight.shape[-1], conv.weight.shape[0]
        key = (cin, cout, k, conv.stride, conv.groups, h)
        if key in seen:
            continue
        seen.add(key)
        kind = "dw" if conv.groups == cin and cin > 1 else f"{k}x{k}"
        name = f"{arch}_{kind}_c{cin}_k{cout}_s{conv.stride}_{h}x{w}"
        b = mm.QdqBuilder(name, act_signed=False)
        # Quantize a calibration batch as the full model's Q would, then keep only the DQ: the
        # graph input is that u8 tensor, so no float conversion is timed with the conv.
        b.vals["input"] = torch.randn(4, cin, h, w)
        x = b.qdq("input")
        q_node, dq_node = b.nodes[-2], b.nodes[-1]
        b.nodes.remove(q_node)
        dq_node.input[0] = "input"
        q_input = b.vals[q_node.output[0]]
        ort_conv(b, "conv", x, conv, "relu")
        b.nodes.pop()  # the final DQ: the Q's u8 result is the output
        b.nodes[-1].output[0] = "output"
        out_shape = [1, cout, *b.vals[b.nodes[-1].input[0]].shape[2:]]
        u8 = onnx.TensorProto.UINT8
        m = b.model([onnx.helper.make_tensor_value_info("input", u8, [1, cin, h, w])],
                    [onnx.helper.make_tensor_value_info("output", u8, out_shape)], 13)
        onnx.checker.check_model(m)
        macs = int(np.prod(out_shape)) * int(np.prod(conv.weight.shape[1:]))
        m.doc_string = f"macs={macs}"
        with open(os.path.join(out_dir, name + ".onnx"), "wb") as f:
            f.write(m.SerializeToString())
        np.save(os.path.join(out_dir, name + ".input.npy"), q_input[:1].numpy().astype(np.uint8))
    print(f"{arch}: {len(seen)} distinct conv layers in {out_dir}")


ARCHS = {"resnet18": (ResNet18, resnet18_ort), "mobilenetv2": (MobileNetV2, mobilenetv2_ort)}


def conv_macs(m):
    """Conv + Gemm MACs of one sample, from the fp32 graph's shapes (onnx shape inference)."""
    g = onnx.shape_inference.infer_shapes(m).graph
    shapes = {v.name: [d.dim_value for d in v.type.tensor_type.shape.dim]
              for v in list(g.value_info) + list(g.output)}
    inits = {i.name: list(i.dims) for i in g.initializer}
    macs = 0
    for n in g.node:
        if n.op_type == "Conv":
            out = shapes[n.output[0]]
            macs += int(np.prod(out[1:])) * int(np.prod(inits[n.input[1]][1:]))
        elif n.op_type == "Gemm":
            macs += int(np.prod(inits[n.input[1]]))
    return macs


def scalar_qparams(m):
    """A copy of a PyTorch export with its per-tensor Q/DQ scales and zero points as scalars.

    torch.onnx.export writes them with shape [1]; ONNX allows that, but ONNX Runtime 1.16's QDQ
    fusion at optimization level 'all' then fails ("QLinearAdd: Scale and Zero-point must be a
    scalar"). Only ORT runs this copy; qc compiles the export as PyTorch wrote it."""
    m2 = onnx.ModelProto()
    m2.CopyFrom(m)
    g = m2.graph
    producer = {o: n for n in g.node for o in n.output}

    def source(name):  # looks through Identity (PyTorch shares zero points that way)
        while name in producer and producer[name].op_type == "Identity":
            name = producer[name].input[0]
        return name

    wanted = {source(i) for n in g.node if n.op_type in ("QuantizeLinear", "DequantizeLinear")
              for i in n.input[1:]}
    for init in g.initializer:
        if init.name in wanted and list(init.dims) == [1]:
            del init.dims[:]
    del g.value_info[:]
    onnx.checker.check_model(m2)
    return m2


def save(m, path):
    data = m.SerializeToString()
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)
    counts = mm.op_counts(m)
    ops = ", ".join(f"{op} {n}" for op, n in sorted(counts.items()))
    print(f"{os.path.basename(path)}: {len(data) / 1e6:.1f} MB: {ops}")


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default=os.path.join(HERE, "out"))
    ap.add_argument("--models", default=",".join(ARCHS))
    ap.add_argument("--layers", action="store_true",
                    help="also write one single-conv model per distinct layer into DIR/layers")
    ap.add_argument("--layers-only", action="store_true",
                    help="write only the single-conv layer models")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    rng = np.random.default_rng(SEED)
    image = rng.standard_normal((1, *IMAGE), dtype=np.float32)
    np.save(os.path.join(args.out, "input_224.npy"), image)

    for arch in args.models.split(","):
        if arch not in ARCHS:
            sys.exit(f"make_bench_models: unknown model '{arch}' (known: {', '.join(ARCHS)})")
        t0 = time.time()
        k = list(ARCHS).index(arch)  # the seeds do not depend on --models
        make_module, make_ort = ARCHS[arch]
        mm.seed_everything(SEED + k)
        ref = make_module()
        calibrate(ref)
        if not args.layers_only:
            fp32 = export(ref, arch + "_fp32", fake_quant=False)
            save(fp32, os.path.join(args.out, arch + "_fp32.onnx"))
            torch_export = export(ref, arch + "_torch", fake_quant=True)
            save(torch_export, os.path.join(args.out, arch + "_torch.onnx"))
            save(scalar_qparams(torch_export),
                 os.path.join(args.out, arch + "_torch.ortcompat.onnx"))
            torch.manual_seed(SEED + 100 + k)
            calib = torch.randn(CALIBRATION_BATCHES * CALIBRATION_BATCH, *IMAGE)
            with torch.no_grad():
                ort = make_ort(ref, calib)
            onnx.checker.check_model(ort)
            save(ort, os.path.join(args.out, arch + "_ort.onnx"))
            print(f"{arch}: {conv_macs(fp32) / 1e9:.3f} GMAC per image")
        if args.layers or args.layers_only:
            layer_models(ref, arch, os.path.join(args.out, "layers"))
        print(f"{arch}: {time.time() - t0:.1f} s")

if __name__ == "__main__":
    main()
