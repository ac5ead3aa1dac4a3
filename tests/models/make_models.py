#!/usr/bin/python3
# Generates the QDQ test models of tests/e2e: four architectures, each in two formats —
# (a) PyTorch fake-quant export (FakeQuantize modules, torch.onnx.export) and
# (b) ONNX Runtime quantize_static-style QDQ, built by hand with onnx.helper.
#
#   /usr/bin/python3 tests/models/make_models.py     (torch 1.13, onnx 1.12, numpy)
#
# Writes <arch>_<format>.onnx next to this script and prints each model's op counts.
# Deterministic: fixed seeds, one thread; weights are random (no training).

import collections
import io
import math
import os
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.ao.quantization as tq
from onnx import TensorProto, helper, numpy_helper

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 0
CALIBRATION_BATCHES = 8


def seed_everything(offset=0):
    np.random.seed(SEED + offset)
    torch.manual_seed(SEED + offset)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


# --------------------------------------------------------------------------------------------
# (a) PyTorch fake-quant modules
# --------------------------------------------------------------------------------------------

def act_fq():
    """u8 per-tensor affine activation fake quant (PyTorch's default QAT activation qconfig)."""
    return tq.FakeQuantize(observer=tq.MovingAverageMinMaxObserver, quant_min=0, quant_max=255,
                           dtype=torch.quint8, qscheme=torch.per_tensor_affine)


def weight_fq():
    """s8 per-channel symmetric weight fake quant along axis 0."""
    return tq.FakeQuantize(observer=tq.MovingAveragePerChannelMinMaxObserver, quant_min=-128,
                           quant_max=127, dtype=torch.qint8, qscheme=torch.per_channel_symmetric,
                           ch_axis=0)


class FqConv(nn.Module):
    """Conv2d with BatchNorm folded in (random running statistics) and fake-quantized weights."""

    def __init__(self, cin, cout, k, stride=1, padding=0, groups=1):
        super().__init__()
        conv = nn.Conv2d(cin, cout, k, stride, padding, groups=groups, bias=False)
        gamma = 1.0 + 0.1 * torch.randn(cout)
        beta = 0.1 * torch.randn(cout)
        mean = 0.1 * torch.randn(cout)
        var = 1.0 + 0.1 * torch.rand(cout)
        factor = gamma / torch.sqrt(var + 1e-5)
        self.weight = nn.Parameter(conv.weight.detach() * factor.reshape(-1, 1, 1, 1))
        self.bias = nn.Parameter(beta - mean * factor)
        self.stride, self.padding, self.groups = stride, padding, groups
        self.wfq = weight_fq()

    def forward(self, x):
        return F.conv2d(x, self.wfq(self.weight), self.bias, self.stride, self.padding, 1,
                        self.groups)


class FqLinear(nn.Module):
    def __init__(self, cin, cout, bias=True, weight_scale=1.0):
        super().__init__()
        lin = nn.Linear(cin, cout, bias=bias)
        self.weight = nn.Parameter(lin.weight.detach() * weight_scale)
        self.bias = nn.Parameter(lin.bias.detach() * weight_scale) if bias else None
        self.wfq = weight_fq()

    def forward(self, x):
        return F.linear(x, self.wfq(self.weight), self.bias)


class ResNetBlockFq(nn.Module):
    """conv-bn-relu, conv-bn, + identity, relu (ResNet basic block)."""

    def __init__(self, c=16):
        super().__init__()
        self.fq_in = act_fq()
        self.conv1 = FqConv(c, c, 3, padding=1)
        self.fq1 = act_fq()
        self.conv2 = FqConv(c, c, 3, padding=1)
        self.fq2 = act_fq()
        self.fq_out = act_fq()

    def forward(self, x):
        x = self.fq_in(x)
        y = self.fq1(F.relu(self.conv1(x)))
        y = self.fq2(self.conv2(y))
        return self.fq_out(F.relu(x + y))


class InvertedResidualFq(nn.Module):
    """MobileNetV2 inverted residual: 1x1 expand, 3x3 depthwise, 1x1 project, + identity."""

    def __init__(self, c=16, expand=4):
        super().__init__()
        h = c * expand
        self.fq_in = act_fq()
        self.expand = FqConv(c, h, 1)
        self.fq1 = act_fq()
        self.dw = FqConv(h, h, 3, padding=1, groups=h)
        self.fq2 = act_fq()
        self.project = FqConv(h, c, 1)
        self.fq3 = act_fq()
        self.fq_out = act_fq()

    def forward(self, x):
        x = self.fq_in(x)
        y = self.fq1(F.relu6(self.expand(x)))
        y = self.fq2(F.relu6(self.dw(y)))
        y = self.fq3(self.project(y))
        return self.fq_out(x + y)


class MlpFq(nn.Module):
    def __init__(self, sizes=(64, 128, 64, 10)):
        super().__init__()
        self.fq_in = act_fq()
        self.layers = nn.ModuleList(FqLinear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))
        self.fqs = nn.ModuleList(act_fq() for _ in sizes[1:])

    def forward(self, x):
        x = self.fq_in(x)
        for i, (layer, fq) in enumerate(zip(self.layers, self.fqs)):
            x = layer(x)
            x = fq(F.relu(x) if i + 1 < len(self.layers) else x)
        return x


class EncoderBlockFq(nn.Module):
    """Pre-norm transformer encoder block, every op between fake quants (SmoothQuant-style).
    The attention scale 1/sqrt(head_dim) = 0.25 is folded into the Q projection."""

    def __init__(self, seq=8, d=32, heads=2, ffn=64):
        super().__init__()
        self.seq, self.d, self.heads, self.dh = seq, d, heads, d // heads
        self.fq_in = act_fq()
        self.ln1 = nn.LayerNorm(d)
        self.fq_ln1 = act_fq()
        self.q = FqLinear(d, d, weight_scale=1.0 / math.sqrt(self.dh))
        self.k = FqLinear(d, d)
        self.v = FqLinear(d, d)
        self.fq_q, self.fq_k, self.fq_v = act_fq(), act_fq(), act_fq()
        self.fq_scores, self.fq_probs, self.fq_ctx = act_fq(), act_fq(), act_fq()
        self.o = FqLinear(d, d)
        self.fq_o = act_fq()
        self.fq_res1 = act_fq()
        self.ln2 = nn.LayerNorm(d)
        self.fq_ln2 = act_fq()
        self.fc1 = FqLinear(d, ffn)
        self.fq_fc1 = act_fq()
        self.fq_gelu = act_fq()
        self.fc2 = FqLinear(ffn, d)
        self.fq_fc2 = act_fq()
        self.fq_out = act_fq()
        with torch.no_grad():
            self.ln1.weight.add_(0.1 * torch.randn(d))
            self.ln1.bias.add_(0.1 * torch.randn(d))
            self.ln2.weight.add_(0.1 * torch.randn(d))
            self.ln2.bias.add_(0.1 * torch.randn(d))

    def forward(self, x):
        s, h, dh = self.seq, self.heads, self.dh
        x = self.fq_in(x)
        t = self.fq_ln1(self.ln1(x))
        q = self.fq_q(self.q(t)).reshape(1, s, h, dh).transpose(1, 2)   # [1,h,s,dh]
        k = self.fq_k(self.k(t)).reshape(1, s, h, dh).permute(0, 2, 3, 1)  # [1,h,dh,s]
        v = self.fq_v(self.v(t)).reshape(1, s, h, dh).transpose(1, 2)   # [1,h,s,dh]
        scores = self.fq_scores(torch.matmul(q, k))
        probs = self.fq_probs(torch.softmax(scores, dim=-1))
        ctx = self.fq_ctx(torch.matmul(probs, v)).transpose(1, 2).reshape(1, s, h * dh)
        x = self.fq_res1(x + self.fq_o(self.o(ctx)))
        t = self.fq_ln2(self.ln2(x))
        t = self.fq_gelu(F.gelu(self.fq_fc1(self.fc1(t))))
        return self.fq_out(x + self.fq_fc2(self.fc2(t)))


def export_torch(name, model, example_shape, dynamic_batch, opset):
    model.eval()
    # Calibrate: observers see a few random batches, then are frozen.
    model.apply(tq.enable_observer)
    model.apply(tq.enable_fake_quant)
    with torch.no_grad():
        for _ in range(CALIBRATION_BATCHES):
            model(torch.randn(*example_shape))
    model.apply(tq.disable_observer)
    buf = io.BytesIO()
    kwargs = {}
    if dynamic_batch:
        kwargs["dynamic_axes"] = {"input": {0: "N"}, "output": {0: "N"}}
    torch.onnx.export(model, torch.randn(*example_shape), buf, opset_version=opset,
                      input_names=["input"], output_names=["output"], do_constant_folding=True,
                      **kwargs)
    m = onnx.load_from_string(buf.getvalue())
    m.graph.name = name
    m.producer_version = torch.__version__.split("a")[0]
    onnx.checker.check_model(m)
    return m


# --------------------------------------------------------------------------------------------
# (b) ONNX Runtime quantize_static QDQ format, built by hand. The builder evaluates every
# value on a calibration batch with torch as it goes, so activation scales come from min/max
# calibration (what quantize_static's default MinMax calibrator does).
# --------------------------------------------------------------------------------------------

class QdqBuilder:
    def __init__(self, name, act_signed):
        self.name = name
        self.act_signed = act_signed  # s8 symmetric activations (else u8 asymmetric)
        self.nodes, self.inits, self.vals = [], [], {}
        self.counter = collections.Counter()

    def fresh(self, base):
        self.counter[base] += 1
        return f"{base}_{self.counter[base]}" if self.counter[base] > 1 else base

    def init(self, name, array):
        self.inits.append(numpy_helper.from_array(array, name))
        self.vals[name] = torch.from_numpy(np.array(array))
        return name

    def node(self, op, inputs, value, name=None, **attrs):
        out = self.fresh(name or op.lower())
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        self.vals[out] = value
        return out

    def qdq(self, x):
        """Q -> DQ on an activation, scalar scale/zp from the calibration value's range."""
        v = self.vals[x].float()
        if self.act_signed:
            scale = max(float(v.abs().max()), 1e-6) / 127.0
            zp, qmin, qmax, zdt = 0, -128, 127, np.int8
        else:
            lo, hi = min(float(v.min()), 0.0), max(float(v.max()), 0.0)
            scale = max(hi - lo, 1e-6) / 255.0
            zp, qmin, qmax, zdt = int(round(-lo / scale)), 0, 255, np.uint8
        scale = np.float32(scale)
        s = self.init(self.fresh(x + "_scale"), np.array(scale, dtype=np.float32))
        z = self.init(self.fresh(x + "_zero_point"), np.array(zp, dtype=zdt))
        q = torch.clamp(torch.round(v / float(scale)) + zp, qmin, qmax)
        qx = self.node("QuantizeLinear", [x, s, z], q, name=x + "_QuantizeLinear")
        return self.node("DequantizeLinear", [qx, s, z], (q - zp) * float(scale),
                         name=x + "_DequantizeLinear")

    def act_params(self, x):
        """The (scale, zp) of the DQ producing x."""
        dq = next(n for n in self.nodes if n.output[0] == x)
        assert dq.op_type == "DequantizeLinear"
        scale = next(i for i in self.inits if i.name == dq.input[1])
        return float(numpy_helper.to_array(scale))

    def weight(self, name, w, axis):
        """int8 per-channel symmetric weight initializer behind DQ(axis)."""
        w = w.detach().numpy().astype(np.float32)
        reduce_axes = tuple(i for i in range(w.ndim) if i != axis)
        scale = (np.maximum(np.abs(w).max(axis=reduce_axes), 1e-8) / 127.0).astype(np.float32)
        bshape = [1] * w.ndim
        bshape[axis] = -1
        q = np.clip(np.rint(w / scale.reshape(bshape)), -127, 127).astype(np.int8)
        qn = self.init(name + "_quantized", q)
        sn = self.init(name + "_scale", scale)
        zn = self.init(name + "_zero_point", np.zeros_like(q, shape=scale.shape))
        deq = torch.from_numpy(q.astype(np.float32) * scale.reshape(bshape))
        return self.node("DequantizeLinear", [qn, sn, zn], deq, name=name + "_DequantizeLinear",
                         axis=axis), scale

    def bias(self, name, b, x_scale, w_scale):
        """int32 bias behind DQ with scale x_scale * w_scale[c], zero point 0."""
        b = b.detach().numpy().astype(np.float32)
        scale = (np.float32(x_scale) * w_scale).astype(np.float32)
        q = np.rint(b / scale).astype(np.int32)
        qn = self.init(name + "_quantized", q)
        sn = self.init(name + "_scale", scale)
        zn = self.init(name + "_zero_point", np.zeros(scale.shape, dtype=np.int32))
        deq = torch.from_numpy(q.astype(np.float32) * scale)
        return self.node("DequantizeLinear", [qn, sn, zn], deq, name=name + "_DequantizeLinear",
                         axis=0)

    def conv(self, name, x, fq_conv):
        c = fq_conv
        w, ws = self.weight(name + ".weight", c.weight, axis=0)
        b = self.bias(name + ".bias", c.bias, self.act_params(x), ws)
        k = c.weight.shape[-1]
        y = F.conv2d(self.vals[x], self.vals[w], self.vals[b], c.stride, c.padding, 1, c.groups)
        return self.node("Conv", [x, w, b], y, name=name, kernel_shape=[k, k],
                         strides=[c.stride] * 2, pads=[c.padding] * 4, group=c.groups)

    def matmul(self, name, x, lin, use_bias):
        """MatMul with a [K, N] weight (per-channel axis 1); bias through Gemm when 2-D."""
        wt = lin.weight.detach().t().contiguous()
        w, ws = self.weight(name + ".weight", wt, axis=1)
        if not use_bias:
            return self.node("MatMul", [x, w], torch.matmul(self.vals[x], self.vals[w]),
                             name=name)
        b = self.bias(name + ".bias", lin.bias, self.act_params(x), ws)
        y = torch.matmul(self.vals[x], self.vals[w]) + self.vals[b]
        return self.node("Gemm", [x, w, b], y, name=name)

    def gemm_transb(self, name, x, lin):
        """Gemm(transB=1) with an [N, K] weight (per-channel axis 0) and int32 bias."""
        w, ws = self.weight(name + ".weight", lin.weight, axis=0)
        b = self.bias(name + ".bias", lin.bias, self.act_params(x), ws)
        y = torch.matmul(self.vals[x], self.vals[w].t()) + self.vals[b]
        return self.node("Gemm", [x, w, b], y, name=name, transB=1)

    def const(self, name, array):
        return self.init(self.fresh(name), np.array(array))

    def model(self, inputs, outputs, opset):
        graph = helper.make_graph(self.nodes, self.name, inputs, outputs, self.inits)
        m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)],
                              producer_name="qc tests/models/make_models.py (ORT QDQ format)")
        m.ir_version = 8
        return m


def f32_io(name, dims):
    return helper.make_tensor_value_info(name, TensorProto.FLOAT, dims)


def finish(b, out, inputs, out_dims, opset):
    """Quantizes the final value and names its DQ 'output'."""
    q = b.qdq(out)
    b.nodes[-1].output[0] = "output"
    b.vals["output"] = b.vals[q]
    return b.model(inputs, [f32_io("output", out_dims)], opset)


def relu(b, x):
    return b.node("Relu", [x], F.relu(b.vals[x]))


def clip6(b, x):
    lo, hi = b.const("clip_min", np.float32(0)), b.const("clip_max", np.float32(6))
    return b.node("Clip", [x, lo, hi], torch.clamp(b.vals[x], 0, 6))


def add(b, x, y):
    return b.node("Add", [x, y], b.vals[x] + b.vals[y])


def resnet_block_ort_model(ref):
    b = QdqBuilder("resnet_block_ort", act_signed=False)
    b.vals["input"] = torch.randn(4, 16, 8, 8)
    x = b.qdq("input")
    y = b.qdq(relu(b, b.conv("conv1", x, ref.conv1)))
    y = b.qdq(b.conv("conv2", y, ref.conv2))
    out = relu(b, add(b, x, y))
    return finish(b, out, [f32_io("input", ["N", 16, 8, 8])], ["N", 16, 8, 8], 13)


def inverted_residual_ort_model(ref):
    b = QdqBuilder("mobilenetv2_block_ort", act_signed=False)
    b.vals["input"] = torch.randn(4, 16, 8, 8)
    x = b.qdq("input")
    y = b.qdq(clip6(b, b.conv("expand", x, ref.expand)))
    y = b.qdq(clip6(b, b.conv("depthwise", y, ref.dw)))
    y = b.qdq(b.conv("project", y, ref.project))
    out = add(b, x, y)
    return finish(b, out, [f32_io("input", ["N", 16, 8, 8])], ["N", 16, 8, 8], 13)


def mlp_ort_model(ref):
    b = QdqBuilder("mlp_ort", act_signed=False)
    b.vals["input"] = torch.randn(4, 64)
    x = b.qdq("input")
    x = b.qdq(relu(b, b.gemm_transb("fc1", x, ref.layers[0])))     # Gemm transB=1, axis 0
    x = b.qdq(relu(b, b.matmul("fc2", x, ref.layers[1], False)))   # MatMul [K,N], axis 1
    out = b.matmul("fc3", x, ref.layers[2], True)                   # Gemm [K,N], axis 1
    return finish(b, out, [f32_io("input", ["N", 64])], ["N", 10], 13)


def encoder_ort_model(ref):
    """s8 symmetric activations, MatMul weights [K,N] per-channel axis 1, no biases on the
    projections, LayerNormalization (opset 17+) and Gelu (opset 20)."""
    b = QdqBuilder("encoder_block_ort", act_signed=True)
    s, h, dh, d = ref.seq, ref.heads, ref.dh, ref.d
    b.vals["input"] = torch.randn(1, s, d)
    x = b.qdq("input")

    def layer_norm(name, x, ln):
        g = b.init(name + ".weight", ln.weight.detach().numpy())
        beta = b.init(name + ".bias", ln.bias.detach().numpy())
        y = F.layer_norm(b.vals[x], (d,), ln.weight.detach(), ln.bias.detach(), 1e-5)
        return b.node("LayerNormalization", [x, g, beta], y, name=name, axis=-1, epsilon=1e-5)

    def reshape(x, dims):
        shape = b.const("shape", np.array(dims, dtype=np.int64))
        return b.node("Reshape", [x, shape], b.vals[x].reshape(dims))

    def transpose(x, perm):
        return b.node("Transpose", [x], b.vals[x].permute(*perm), perm=perm)

    t = b.qdq(layer_norm("ln1", x, ref.ln1))
    q = b.qdq(b.matmul("q_proj", t, ref.q, False))
    k = b.qdq(b.matmul("k_proj", t, ref.k, False))
    v = b.qdq(b.matmul("v_proj", t, ref.v, False))
    # Data movement between DQ and the next Q: quantize_static leaves Reshape/Transpose float
    # when they are not quantized themselves; here they carry the producer's Q->DQ after them.
    q = b.qdq(transpose(reshape(q, [1, s, h, dh]), [0, 2, 1, 3]))
    k = b.qdq(transpose(reshape(k, [1, s, h, dh]), [0, 2, 3, 1]))
    v = b.qdq(transpose(reshape(v, [1, s, h, dh]), [0, 2, 1, 3]))
    scores = b.qdq(b.node("MatMul", [q, k], torch.matmul(b.vals[q], b.vals[k]), name="qk"))
    probs = b.qdq(b.node("Softmax", [scores], torch.softmax(b.vals[scores], -1), axis=-1))
    ctx = b.qdq(b.node("MatMul", [probs, v], torch.matmul(b.vals[probs], b.vals[v]), name="pv"))
    ctx = b.qdq(reshape(transpose(ctx, [0, 2, 1, 3]), [1, s, d]))
    o = b.qdq(b.matmul("o_proj", ctx, ref.o, False))
    x = b.qdq(add(b, x, o))
    t = b.qdq(layer_norm("ln2", x, ref.ln2))
    t = b.qdq(b.matmul("fc1", t, ref.fc1, False))
    t = b.qdq(b.node("Gelu", [t], F.gelu(b.vals[t]), name="gelu"))
    t = b.qdq(b.matmul("fc2", t, ref.fc2, False))
    out = add(b, x, t)
    return finish(b, out, [f32_io("input", [1, s, d])], [1, s, d], 20)


# --------------------------------------------------------------------------------------------

def op_counts(m):
    return collections.Counter(n.op_type for n in m.graph.node)


def save(m, filename):
    path = os.path.join(OUT_DIR, filename)
    data = m.SerializeToString()
    assert len(data) < 300 * 1024, f"{filename}: {len(data)} bytes"
    with open(path, "wb") as f:
        f.write(data)
    counts = ", ".join(f"{op} {n}" for op, n in sorted(op_counts(m).items()))
    print(f"{filename}: {len(data)} bytes, opset {m.opset_import[0].version}: {counts}")


def main():
    seed_everything(1)
    resnet = ResNetBlockFq()
    save(export_torch("resnet_block_torch", resnet, (4, 16, 8, 8), True, 13),
         "resnet_block_torch.onnx")
    save(resnet_block_ort_model(resnet), "resnet_block_ort.onnx")

    seed_everything(2)
    mbv2 = InvertedResidualFq()
    save(export_torch("mobilenetv2_block_torch", mbv2, (4, 16, 8, 8), True, 13),
         "mobilenetv2_block_torch.onnx")
    save(inverted_residual_ort_model(mbv2), "mobilenetv2_block_ort.onnx")

    seed_everything(3)
    mlp = MlpFq()
    save(export_torch("mlp_torch", mlp, (4, 64), True, 13), "mlp_torch.onnx")
    save(mlp_ort_model(mlp), "mlp_ort.onnx")

    seed_everything(4)
    enc = EncoderBlockFq()
    # opset 17: torch exports nn.LayerNorm as one LayerNormalization node from 17 on (as 9
    # primitive ops before); GELU is still exported as its Erf formula.
    save(export_torch("encoder_block_torch", enc, (1, 8, 32), False, 17),
         "encoder_block_torch.onnx")
    save(encoder_ort_model(enc), "encoder_block_ort.onnx")


if __name__ == "__main__":
    sys.exit(main())
