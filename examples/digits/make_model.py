#!/usr/bin/python3
# Builds the bundled example QDQ model: a small CNN on scikit-learn's 8x8 digits, trained in float,
# QAT fine-tuned with PyTorch eager-mode fake quantization, exported to ONNX (opset 13) as Q/DQ pairs.
#
# Run with the system interpreter (needs torch 1.13, numpy, onnx 1.12, sklearn):
#   /usr/bin/python3 examples/digits/make_model.py
# Writes model.onnx, test_images.npy, test_labels.npy, reference_logits.npy next to this script.

import collections
import os
import random
import sys

import numpy as np
import onnx
import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.ao.quantization as tq
import torch.nn.intrinsic.qat as nniqat
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

OUT_DIR = os.path.dirname(os.path.abspath(__file__))
SEED = 0
NUM_TEST = 360
FLOAT_EPOCHS = 40
QAT_EPOCHS = 8
QAT_FREEZE_BN_EPOCH = 4   # running BN statistics frozen from this QAT epoch on
QAT_FREEZE_OBS_EPOCH = 6  # observers (scales/zero points) frozen from this QAT epoch on
BATCH = 32


def seed_everything():
    random.seed(SEED)
    np.random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)


def load_data():
    digits = load_digits()
    x = (digits.data.astype(np.float32) / 16.0).reshape(-1, 1, 8, 8)  # pixels 0..16 -> [0, 1]
    y = digits.target.astype(np.int64)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, test_size=NUM_TEST, random_state=SEED, stratify=y)
    return (np.ascontiguousarray(x_tr), np.ascontiguousarray(y_tr),
            np.ascontiguousarray(x_te), np.ascontiguousarray(y_te))


class DigitsNet(nn.Module):
    """Float model with quant stubs at the places eager-mode QAT needs them."""

    def __init__(self):
        super().__init__()
        self.quant = tq.QuantStub()
        self.conv1 = nn.Conv2d(1, 16, 3, padding=1, bias=False)
        self.bn1 = nn.BatchNorm2d(16)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(16, 32, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(32)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(32, 32, 3, padding=1, bias=False)
        self.bn3 = nn.BatchNorm2d(32)
        self.relu3 = nn.ReLU()
        self.skip = nn.quantized.FloatFunctional()  # residual add, observed in QAT
        self.pool = nn.AdaptiveAvgPool2d(1)
        # Re-quantizes the pooled features so the classifier's input is Q/DQ'd too (in eager mode
        # a pooling layer gets no observer of its own).
        self.quant_fc = tq.QuantStub()
        self.fc = nn.Linear(32, 10)
        self.dequant = tq.DeQuantStub()

    def forward(self, x):
        x = self.quant(x)
        x = self.relu1(self.bn1(self.conv1(x)))
        y = self.relu2(self.bn2(self.conv2(x)))
        z = self.relu3(self.bn3(self.conv3(y)))
        x = self.skip.add(z, y)
        x = torch.flatten(self.pool(x), 1)
        x = self.fc(self.quant_fc(x))
        return self.dequant(x)


def qat_qconfig():
    # Activations: per-tensor asymmetric u8 over the full 0..255 range (no reduce_range: ONNX
    # export of the fake-quant ops needs (0,255) or (-128,127)). Weights: per-channel symmetric s8.
    # Plain FakeQuantize (not the fused default) because it has an ONNX export.
    act = tq.FakeQuantize.with_args(observer=tq.MovingAverageMinMaxObserver, quant_min=0,
                                    quant_max=255, dtype=torch.quint8,
                                    qscheme=torch.per_tensor_affine, reduce_range=False)
    wt = tq.FakeQuantize.with_args(observer=tq.MovingAveragePerChannelMinMaxObserver,
                                   quant_min=-128, quant_max=127, dtype=torch.qint8,
                                   qscheme=torch.per_channel_symmetric, ch_axis=0,
                                   reduce_range=False)
    return tq.QConfig(activation=act, weight=wt)


def batches(n, gen):
    perm = torch.randperm(n, generator=gen)
    for i in range(0, n, BATCH):
        yield perm[i:i + BATCH]


def train(model, x, y, epochs, lr, gen, on_epoch=None):
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    for epoch in range(epochs):
        model.train()
        if on_epoch:
            on_epoch(epoch)
        for idx in batches(len(x), gen):
            opt.zero_grad()
            loss = F.cross_entropy(model(x[idx]), y[idx])
            loss.backward()
            opt.step()
        sched.step()


@torch.no_grad()
def logits_of(model, x):
    model.eval()
    return model(x)


def accuracy(logits, y):
    return float((logits.argmax(1) == y).float().mean())


class FoldedConv(nn.Module):
    """Deployment form of a QAT Conv+BN(+ReLU): BN folded into the conv weight and bias, using the
    same weight fake-quant (per-channel scales) and output fake-quant as the QAT module."""

    def __init__(self, qat, relu):
        super().__init__()
        assert isinstance(qat, (nniqat.ConvBn2d, nniqat.ConvBnReLU2d))
        bn = qat.bn
        # Exactly the scale factor and scaled weight the QAT module fake-quantizes.
        scale_factor = bn.weight / torch.sqrt(bn.running_var + bn.eps)
        w = qat.weight * scale_factor.reshape(-1, 1, 1, 1)
        b = qat.bias if qat.bias is not None else torch.zeros_like(bn.running_mean)
        b = (b - bn.running_mean) * scale_factor + bn.bias
        self.weight = nn.Parameter(w.detach().clone())
        self.bias = nn.Parameter(b.detach().clone())
        self.stride, self.padding = qat.stride, qat.padding
        self.relu = relu
        self.weight_fake_quant = qat.weight_fake_quant
        self.out_fake_quant = qat.activation_post_process

    def forward(self, x):
        x = F.conv2d(x, self.weight_fake_quant(self.weight), self.bias, self.stride, self.padding)
        if self.relu:
            x = F.relu(x)
        return self.out_fake_quant(x)


class FoldedLinear(nn.Module):
    def __init__(self, qat):
        super().__init__()
        self.weight = nn.Parameter(qat.weight.detach().clone())
        self.bias = nn.Parameter(qat.bias.detach().clone())
        self.weight_fake_quant = qat.weight_fake_quant
        self.out_fake_quant = qat.activation_post_process

    def forward(self, x):
        return self.out_fake_quant(F.linear(x, self.weight_fake_quant(self.weight), self.bias))


class DeployNet(nn.Module):
    """The fake-quant model that is exported: same computation as the frozen QAT model, with BN
    folded so the ONNX graph is DQ -> Conv -> Relu -> Q instead of Conv -> Div -> Add -> BN."""

    def __init__(self, qat):
        super().__init__()
        self.quant = qat.quant.activation_post_process
        self.conv1 = FoldedConv(qat.conv1, relu=True)
        self.conv2 = FoldedConv(qat.conv2, relu=True)
        self.conv3 = FoldedConv(qat.conv3, relu=True)
        self.skip_fake_quant = qat.skip.activation_post_process
        self.quant_fc = qat.quant_fc.activation_post_process
        self.fc = FoldedLinear(qat.fc)

    def forward(self, x):
        x = self.quant(x)
        y = self.conv2(self.conv1(x))
        z = self.conv3(y)
        x = self.skip_fake_quant(z + y)
        x = torch.flatten(F.adaptive_avg_pool2d(x, 1), 1)
        return self.fc(self.quant_fc(x))


def scalarize_per_tensor_qparams(model):
    """torch.onnx.export writes per-tensor scales and zero points as 1-element 1-D tensors. ONNX
    defines per-tensor quantization parameters as scalars, and ONNX Runtime's QDQ fusion rejects the
    1-D form at optimization level 'all' ("QLinearAdd: Scale and Zero-point must be a scalar").
    Rewrite such initializers (used only as Q/DQ parameters without an axis attribute, directly or
    through Identity) to rank 0. Values are unchanged. Returns the names rewritten."""
    g = model.graph
    consumers = collections.defaultdict(list)
    for n in g.node:
        for k, name in enumerate(n.input):
            consumers[name].append((n, k))

    def per_tensor_qparam_only(name):
        for n, k in consumers[name]:
            if n.op_type == "Identity":
                if not per_tensor_qparam_only(n.output[0]):
                    return False
            elif n.op_type not in ("QuantizeLinear", "DequantizeLinear") or k == 0 or \
                    any(a.name == "axis" for a in n.attribute):
                return False
        return bool(consumers[name])

    done = []
    for init in g.initializer:
        if list(init.dims) == [1] and per_tensor_qparam_only(init.name):
            del init.dims[:]
            done.append(init.name)
    return done


def describe_graph(path):
    m = onnx.load(path)
    counts = collections.Counter(n.op_type for n in m.graph.node)
    inits = {i.name: i for i in m.graph.initializer}
    per_channel = []
    for n in m.graph.node:
        if n.op_type != "DequantizeLinear":
            continue
        scale = inits.get(n.input[1])
        if scale is not None and len(scale.dims) == 1 and scale.dims[0] > 1:
            axis = [a.i for a in n.attribute if a.name == "axis"]
            per_channel.append((n.output[0], scale.dims[0], axis[0] if axis else 1))
    return m, counts, per_channel


def main():
    seed_everything()
    x_tr, y_tr, x_te, y_te = load_data()
    xt, yt = torch.from_numpy(x_tr), torch.from_numpy(y_tr)
    xe, ye = torch.from_numpy(x_te), torch.from_numpy(y_te)
    gen = torch.Generator().manual_seed(SEED)

    # 1. Float training.
    model = DigitsNet()
    train(model, xt, yt, FLOAT_EPOCHS, 1e-2, gen)
    float_acc = accuracy(logits_of(model, xe), ye)
    print(f"float model: train acc {accuracy(logits_of(model, xt), yt):.4f}, "
          f"test acc {float_acc:.4f}")

    # 2. Quantization-aware fine-tuning (eager mode).
    model.train()
    model = tq.fuse_modules_qat(model, [["conv1", "bn1", "relu1"], ["conv2", "bn2", "relu2"],
                                        ["conv3", "bn3", "relu3"]])
    model.qconfig = qat_qconfig()
    tq.prepare_qat(model, inplace=True)

    def freeze(epoch):
        if epoch >= QAT_FREEZE_BN_EPOCH:
            model.apply(nniqat.freeze_bn_stats)
        if epoch >= QAT_FREEZE_OBS_EPOCH:
            model.apply(tq.disable_observer)

    train(model, xt, yt, QAT_EPOCHS, 1e-3, gen, on_epoch=freeze)
    model.apply(nniqat.freeze_bn_stats)
    model.apply(tq.disable_observer)
    qat_logits = logits_of(model, xe)
    qat_acc = accuracy(qat_logits, ye)
    print(f"QAT fake-quant model (BN unfolded): test acc {qat_acc:.4f}")

    # 3. Fold BN for export; this is the model qc must reproduce.
    deploy = DeployNet(model).eval()
    ref = logits_of(deploy, xe)
    deploy_acc = accuracy(ref, ye)
    print(f"exported fake-quant model (BN folded): test acc {deploy_acc:.4f}, "
          f"max |logits - unfolded QAT logits| = {float((ref - qat_logits).abs().max()):.3g}, "
          f"argmax disagreements = {int((ref.argmax(1) != qat_logits.argmax(1)).sum())}")

    model_path = os.path.join(OUT_DIR, "model.onnx")
    torch.onnx.export(deploy, xe[:1], model_path, opset_version=13, input_names=["input"],
                      output_names=["logits"], dynamic_axes={"input": {0: "N"}, "logits": {0: "N"}},
                      do_constant_folding=True)
    exported = onnx.load(model_path)
    scalarized = scalarize_per_tensor_qparams(exported)
    onnx.checker.check_model(exported, full_check=True)
    onnx.save(exported, model_path)
    print(f"per-tensor Q/DQ parameters rewritten from shape [1] to scalars: {len(scalarized)}")

    np.save(os.path.join(OUT_DIR, "test_images.npy"), x_te.astype(np.float32))
    np.save(os.path.join(OUT_DIR, "test_labels.npy"), y_te.astype(np.int64))
    np.save(os.path.join(OUT_DIR, "reference_logits.npy"), ref.numpy().astype(np.float32))

    m, counts, per_channel = describe_graph(model_path)
    print(f"\nwrote {model_path} ({os.path.getsize(model_path)} bytes), opset "
          f"{[(o.domain or 'ai.onnx', o.version) for o in m.opset_import]}")
    print("op counts: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
    print("per-channel weight DQ (output, channels, axis): " + str(per_channel))
    print(f"test set: {len(y_te)} images, labels per class {np.bincount(y_te).tolist()}")
    print(f"summary: float {float_acc:.4f}  QAT {qat_acc:.4f}  exported fake-quant {deploy_acc:.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
