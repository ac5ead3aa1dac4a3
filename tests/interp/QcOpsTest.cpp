// Tests of qc's integer ops (docs/quantized-ir.md): shape inference and its
// errors, hand-computed kernel cases, and random-data comparisons against the
// ONNX ops they fold (QLinearConv, QLinearMatMul) and against the literal
// DQ -> float op -> Q reference graphs, within the numerics contract's +-1.
// Also the measurement behind the requantization scheme (fp32 multiplier vs
// exact double vs int32 fixed point).
#include <gtest/gtest.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <random>

#include "interp/Interpreter.h"
#include "interp/kernels/Requantize.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"

namespace qc::interp {
namespace {

using ir::ElemType;
using ir::Tensor;
using Ints = std::vector<int64_t>;

// ---- Text IR helpers --------------------------------------------------------

std::string num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  std::string s = buf;
  if (s.find_first_of(".en") == std::string::npos)
    s += ".0";
  return s;
}

std::string list(const Ints &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + std::to_string(v[i]);
  return s + "]";
}

std::string list(const std::vector<double> &v) {
  std::string s = "[";
  for (size_t i = 0; i < v.size(); ++i)
    s += (i ? ", " : "") + num(v[i]);
  return s + "]";
}

std::string shapeText(const Ints &dims) {
  std::string s;
  for (int64_t d : dims)
    s += std::to_string(d) + "x";
  return s;
}

/// tensor<dims x elem> with optional per-tensor quantization.
std::string ty(const Ints &dims, const char *elem) {
  return "tensor<" + shapeText(dims) + elem + ">";
}
std::string qty(const Ints &dims, const char *elem, double scale, int64_t zp) {
  return "tensor<" + shapeText(dims) + elem + ", quant<scale=" + num(scale) +
         ", zp=" + std::to_string(zp) + ">>";
}
std::string qtyAxis(const Ints &dims, const char *elem, int64_t axis,
                    const std::vector<double> &scales, const Ints &zps) {
  return "tensor<" + shapeText(dims) + elem + ", quant<axis=" + std::to_string(axis) +
         ", scale=" + list(scales) + ", zp=" + list(zps) + ">>";
}

std::string values(const Tensor &t) {
  Ints v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getInt(i));
  return list(v);
}

std::unique_ptr<ir::Graph> parse(const std::string &text) {
  auto g = ir::parseGraph(text, "test");
  if (!g) {
    ADD_FAILURE() << llvm::toString(g.takeError()) << "\n" << text;
    return nullptr;
  }
  return std::move(*g);
}

/// Parses, verifies and runs a graph with one output.
Tensor runText(const std::string &text, const std::vector<Tensor> &inputs) {
  auto g = parse(text);
  if (!g)
    return Tensor();
  if (llvm::Error e = ir::verifyGraph(*g)) {
    ADD_FAILURE() << llvm::toString(std::move(e)) << "\n" << text;
    return Tensor();
  }
  auto out = run(*g, inputs);
  if (!out) {
    ADD_FAILURE() << llvm::toString(out.takeError()) << "\n" << text;
    return Tensor();
  }
  return (*out)[0];
}

/// The error of running a graph in the interpreter (whose inference sees
/// run-time tensors without quantization), "" when it runs.
std::string errorOf(const std::string &text, const std::vector<Tensor> &inputs) {
  auto g = ir::parseGraph(text, "test");
  if (!g)
    return "parse: " + llvm::toString(g.takeError());
  auto out = run(**g, inputs);
  return out ? "" : llvm::toString(out.takeError());
}

/// The verifier's error for a graph, "" when it verifies.
std::string verifierErrorOf(const std::string &text) {
  auto g = ir::parseGraph(text, "test");
  if (!g)
    return "parse: " + llvm::toString(g.takeError());
  llvm::Error e = ir::verifyGraph(**g);
  return e ? llvm::toString(std::move(e)) : "";
}

Ints intsOf(const Tensor &t) {
  Ints v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getInt(i));
  return v;
}

std::mt19937 &rng() {
  static std::mt19937 gen(12345);
  return gen;
}
int64_t randomInt(int64_t lo, int64_t hi) {
  return std::uniform_int_distribution<int64_t>(lo, hi)(rng());
}
Tensor randomTensor(ElemType t, Ints dims, int64_t lo, int64_t hi) {
  Tensor r(t, dims);
  for (int64_t i = 0; i < r.numElements(); ++i)
    r.setInt(i, randomInt(lo, hi));
  return r;
}
/// A random scale that is exactly an fp32 value.
double randomScale(double lo, double hi) {
  return double(float(std::uniform_real_distribution<double>(lo, hi)(rng())));
}

/// How two integer tensors of the same shape differ.
struct Diff {
  int64_t total = 0, exact = 0, offByOne = 0, worse = 0;
  void add(const Tensor &a, const Tensor &b) {
    EXPECT_EQ(a.dims(), b.dims());
    for (int64_t i = 0; i < a.numElements() && a.dims() == b.dims(); ++i) {
      int64_t d = int64_t(std::llabs(a.getInt(i) - b.getInt(i)));
      ++total;
      (d == 0 ? exact : d == 1 ? offByOne : worse) += 1;
    }
  }
  void report(const char *what) const {
    std::printf("[ qc ops   ] %s: %" PRId64 " outputs, %" PRId64 " exact, %" PRId64
                " off by 1, %" PRId64 " worse\n",
                what, total, exact, offByOne, worse);
    EXPECT_EQ(worse, 0) << what;
    EXPECT_GT(total, 0) << what;
  }
};

// ---- QConv --------------------------------------------------------------------

TEST(QConv, PaddingIsTheInputZeroPoint) {
  // Centred x = [[0, 2], [4, 6]] (zx = 3), an all-ones 2x2 kernel, pads 1:
  // each output is the sum of the centred inputs under the window, the
  // padding contributing 0 (a padding of q = 0 would add -3 per tap).
  std::string text =
      "graph @g(%x: " + qty({1, 1, 2, 2}, "u8", 1.0, 3) + ") {\n" +
      "  %w = const dense<1> : " + qty({1, 1, 2, 2}, "i8", 1.0, 0) + "\n" +
      "  %y = qc.QConv(%x, %w) {pads = [1, 1, 1, 1]} : " + qty({1, 1, 3, 3}, "u8", 1.0, 0) +
      "\n  return %y\n}\n";
  Tensor y = runText(text, {Tensor::fromInts(ElemType::U8, {1, 1, 2, 2}, {3, 5, 7, 9})});
  EXPECT_EQ(intsOf(y), (Ints{0, 2, 2, 4, 12, 8, 4, 10, 6}));
}

TEST(QConv, BiasRequantizationAndClamps) {
  // x (zx = 10, sx = 0.5) centred [2, -4, 6]; w per channel (axis 0) with zw
  // [0, 1], sw [0.25, 0.5]; 1x1 kernels over 3 input channels.
  // acc[0] = 2*1 + -4*2 + 6*3 + bias 4 = 16, inScale 0.125 -> y = 16 * 0.125 / 0.25 = 8
  // acc[1] = 2*(3-1) + -4*(0-1) + 6*(-1-1) + bias -2 = -6, inScale 0.25 -> -6
  // With zy = 100: [108, 94]; act_min 96 clamps channel 1; act_max 105 channel 0.
  auto graph = [](const std::string &attrs, const std::string &resultType) {
    return "graph @g(%x: " + qty({1, 3, 1, 1}, "u8", 0.5, 10) + ") {\n" +
           "  %w = const dense<[1, 2, 3, 3, 0, -1]> : " +
           qtyAxis({2, 3, 1, 1}, "i8", 0, {0.25, 0.5}, {0, 1}) + "\n" +
           "  %b = const dense<[4, -2]> : tensor<2xi32>\n" + "  %y = qc.QConv(%x, %w, %b)" + attrs +
           " : " + resultType + "\n  return %y\n}\n";
  };
  Tensor x = Tensor::fromInts(ElemType::U8, {1, 3, 1, 1}, {12, 6, 16});
  EXPECT_EQ(intsOf(runText(graph("", qty({1, 2, 1, 1}, "u8", 0.25, 100)), {x})), (Ints{108, 94}));
  EXPECT_EQ(intsOf(runText(
                graph(" {act_max = 105, act_min = 96}", qty({1, 2, 1, 1}, "u8", 0.25, 100)), {x})),
            (Ints{105, 96}));
  // i8 result saturates: 16 * 0.125 / 0.01 = 200 -> 127, -6 * 0.25 / 0.01 = -150 -> -128.
  EXPECT_EQ(intsOf(runText(graph("", qty({1, 2, 1, 1}, "i8", 0.01, 0)), {x})), (Ints{127, -128}));
  // f32 result: float(acc) * float(inScale), no requantization.
  Tensor f = runText(graph("", ty({1, 2, 1, 1}, "f32")), {x});
  ASSERT_EQ(f.elemType(), ElemType::F32);
  EXPECT_EQ(f.getDouble(0), 2.0);
  EXPECT_EQ(f.getDouble(1), -1.5);
}

/// A random QConv and the ONNX QLinearConv with the same parameters (zero
/// bias), compared; returns the differences.
Diff qconvVersusQLinearConv(const char *xElem, const char *wElem, bool perChannel, int64_t group,
                            bool withPads) {
  ElemType xt = std::string(xElem) == "u8" ? ElemType::U8 : ElemType::I8;
  ElemType wt = std::string(wElem) == "u8" ? ElemType::U8 : ElemType::I8;
  int64_t c = 2 * group, m = 2 * group, n = 2, h = 7, w = 6, k = 3;
  int64_t xLo = ir::elemTypeMin(xt), xHi = ir::elemTypeMax(xt);
  int64_t wLo = ir::elemTypeMin(wt), wHi = ir::elemTypeMax(wt);
  int64_t zx = randomInt(xLo / 2 + xHi / 4, xHi / 2);
  double sx = randomScale(0.005, 0.05);
  std::vector<double> sw;
  Ints zw;
  for (int64_t i = 0; i < (perChannel ? m : 1); ++i) {
    sw.push_back(randomScale(0.002, 0.02));
    zw.push_back(wt == ElemType::U8 ? randomInt(100, 150) : 0);
  }
  double sy = double(float(sx * sw[0] * 120));
  int64_t zy = randomInt(xLo / 2 + xHi / 4, xHi / 2);
  Tensor wv = randomTensor(wt, {m, c / group, k, k}, wLo, wHi);
  std::string pads = withPads ? "pads = [1, 0, 2, 1], " : "";
  std::string attrs = " {group = " + std::to_string(group) + ", " + pads + "strides = [1, 2]}";
  Ints yDims = {n, m, withPads ? h + 3 - k + 1 : h - k + 1, ((withPads ? w + 1 : w) - k) / 2 + 1};

  std::string wType =
      perChannel ? qtyAxis(wv.dims(), wElem, 0, sw, zw) : qty(wv.dims(), wElem, sw[0], zw[0]);
  std::string qconv = "graph @g(%x: " + qty({n, c, h, w}, xElem, sx, zx) + ") {\n" +
                      "  %w = const dense<" + values(wv) + "> : " + wType + "\n" +
                      "  %y = qc.QConv(%x, %w)" + attrs + " : " + qty(yDims, xElem, sy, zy) +
                      "\n  return %y\n}\n";
  Ints scaleDims = perChannel ? Ints{m} : Ints{};
  std::string qlinear = "graph @g(%x: " + ty({n, c, h, w}, xElem) + ") {\n" +
                        "  %w = const dense<" + values(wv) + "> : " + ty(wv.dims(), wElem) + "\n" +
                        "  %xs = const dense<" + num(sx) + "> : tensor<f32>\n" +
                        "  %xz = const dense<" + std::to_string(zx) + "> : " + ty({}, xElem) +
                        "\n" + "  %ws = const dense<" + list(sw) + "> : " + ty(scaleDims, "f32") +
                        "\n" + "  %wz = const dense<" + list(zw) + "> : " + ty(scaleDims, wElem) +
                        "\n" + "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" +
                        "  %yz = const dense<" + std::to_string(zy) + "> : " + ty({}, xElem) +
                        "\n" + "  %y = QLinearConv(%x, %xs, %xz, %w, %ws, %wz, %ys, %yz)" + attrs +
                        " : " + ty(yDims, xElem) + "\n  return %y\n}\n";
  Diff diff;
  for (int trial = 0; trial < 4; ++trial) {
    Tensor x = randomTensor(xt, {n, c, h, w}, xLo, xHi);
    Tensor a = runText(qconv, {x}), b = runText(qlinear, {x});
    diff.add(a, b);
  }
  return diff;
}

TEST(QConv, AgreesWithQLinearConvOnRandomData) {
  Diff all;
  struct Case {
    const char *x, *w;
    bool perChannel;
    int64_t group;
    bool pads;
  } cases[] = {{"u8", "i8", false, 1, false}, {"u8", "i8", true, 1, true},
               {"i8", "i8", true, 2, true},   {"u8", "u8", true, 1, true},
               {"i8", "u8", true, 2, false},  {"u8", "u8", false, 1, true}};
  for (const Case &c : cases) {
    Diff d = qconvVersusQLinearConv(c.x, c.w, c.perChannel, c.group, c.pads);
    std::string what = std::string("QConv vs QLinearConv x=") + c.x + " w=" + c.w +
                       (c.perChannel ? " per-channel" : " per-tensor") + " group " +
                       std::to_string(c.group) + (c.pads ? " padded" : "");
    d.report(what.c_str());
    all.total += d.total;
    all.exact += d.exact;
    all.offByOne += d.offByOne;
    all.worse += d.worse;
  }
  all.report("QConv vs QLinearConv, all cases");
  // Exact in all but rare near-tie cases.
  EXPECT_GE(double(all.exact), 0.99 * double(all.total));
}

TEST(QConv, AgreesWithTheQdqReferenceWithBiasAndRelu) {
  // DQ(x), DQ(w), DQ(b) -> Conv -> Relu -> Q(y), literally, against QConv
  // with act_min = zy.
  int64_t n = 1, c = 3, m = 4, h = 6, w = 5;
  double sx = randomScale(0.01, 0.03);
  std::vector<double> sw, sb;
  Ints zeros(size_t(m), 0);
  for (int64_t i = 0; i < m; ++i) {
    sw.push_back(randomScale(0.003, 0.01));
    sb.push_back(double(float(sx * sw.back())));
  }
  double sy = double(float(sx * sw[0] * 150));
  int64_t zx = 120, zy = 60;
  Tensor wv = randomTensor(ElemType::I8, {m, c, 3, 3}, -127, 127);
  Tensor bv = randomTensor(ElemType::I32, {m}, -3000, 3000);
  Ints yDims = {n, m, h, w};
  std::string qconv = "graph @g(%x: " + qty({n, c, h, w}, "u8", sx, zx) + ") {\n" +
                      "  %w = const dense<" + values(wv) +
                      "> : " + qtyAxis(wv.dims(), "i8", 0, sw, zeros) + "\n" +
                      "  %b = const dense<" + values(bv) + "> : tensor<4xi32>\n" +
                      "  %y = qc.QConv(%x, %w, %b) {act_min = " + std::to_string(zy) +
                      ", pads = [1, 1, 1, 1]} : " + qty(yDims, "u8", sy, zy) + "\n  return %y\n}\n";
  std::string reference =
      "graph @g(%x: " + ty({n, c, h, w}, "u8") + ") {\n" + "  %w = const dense<" + values(wv) +
      "> : " + ty(wv.dims(), "i8") + "\n" + "  %b = const dense<" + values(bv) +
      "> : tensor<4xi32>\n" + "  %xs = const dense<" + num(sx) + "> : tensor<f32>\n" +
      "  %xz = const dense<" + std::to_string(zx) + "> : tensor<u8>\n" + "  %ws = const dense<" +
      list(sw) + "> : tensor<4xf32>\n" + "  %bs = const dense<" + list(sb) + "> : tensor<4xf32>\n" +
      "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" + "  %yz = const dense<" +
      std::to_string(zy) + "> : tensor<u8>\n" +
      "  %xf = DequantizeLinear(%x, %xs, %xz) : " + ty({n, c, h, w}, "f32") + "\n" +
      "  %wf = DequantizeLinear(%w, %ws) {axis = 0} : " + ty(wv.dims(), "f32") + "\n" +
      "  %bf = DequantizeLinear(%b, %bs) {axis = 0} : tensor<4xf32>\n" +
      "  %cf = Conv(%xf, %wf, %bf) {pads = [1, 1, 1, 1]} : " + ty(yDims, "f32") + "\n" +
      "  %rf = Relu(%cf) : " + ty(yDims, "f32") + "\n" +
      "  %y = QuantizeLinear(%rf, %ys, %yz) : " + ty(yDims, "u8") + "\n  return %y\n}\n";
  Diff diff;
  for (int trial = 0; trial < 8; ++trial) {
    Tensor x = randomTensor(ElemType::U8, {n, c, h, w}, 0, 255);
    diff.add(runText(qconv, {x}), runText(reference, {x}));
  }
  diff.report("QConv vs DQ->Conv->Relu->Q");
}

TEST(QConvTranspose, AgreesWithTheQdqReference) {
  // w is [C, M/group, k, k] quantized along axis 1; group 2, stride 2.
  int64_t n = 1, c = 4, perGroup = 3, h = 4, w = 3;
  double sx = randomScale(0.01, 0.03);
  std::vector<double> sw;
  for (int64_t i = 0; i < perGroup; ++i)
    sw.push_back(randomScale(0.003, 0.01));
  double sy = double(float(sx * sw[0] * 60));
  int64_t zx = 5, zy = -3;
  Ints zw = {0, 0, 0};
  Tensor wv = randomTensor(ElemType::I8, {c, perGroup, 3, 3}, -127, 127);
  Ints yDims = {n, 2 * perGroup, 2 * (h - 1) + 3 - 1, 2 * (w - 1) + 3 - 1};
  std::string attrs = " {group = 2, pads = [1, 0, 0, 1], strides = [2, 2]}";
  std::string qop = "graph @g(%x: " + qty({n, c, h, w}, "i8", sx, zx) + ") {\n" +
                    "  %w = const dense<" + values(wv) +
                    "> : " + qtyAxis(wv.dims(), "i8", 1, sw, zw) + "\n" +
                    "  %y = qc.QConvTranspose(%x, %w)" + attrs + " : " + qty(yDims, "i8", sy, zy) +
                    "\n  return %y\n}\n";
  std::string reference =
      "graph @g(%x: " + ty({n, c, h, w}, "i8") + ") {\n" + "  %w = const dense<" + values(wv) +
      "> : " + ty(wv.dims(), "i8") + "\n" + "  %xs = const dense<" + num(sx) + "> : tensor<f32>\n" +
      "  %xz = const dense<" + std::to_string(zx) + "> : tensor<i8>\n" + "  %ws = const dense<" +
      list(sw) + "> : tensor<3xf32>\n" + "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" +
      "  %yz = const dense<" + std::to_string(zy) + "> : tensor<i8>\n" +
      "  %xf = DequantizeLinear(%x, %xs, %xz) : " + ty({n, c, h, w}, "f32") + "\n" +
      "  %wf = DequantizeLinear(%w, %ws) {axis = 1} : " + ty(wv.dims(), "f32") + "\n" +
      "  %cf = ConvTranspose(%xf, %wf)" + attrs + " : " + ty(yDims, "f32") + "\n" +
      "  %y = QuantizeLinear(%cf, %ys, %yz) : " + ty(yDims, "i8") + "\n  return %y\n}\n";
  Diff diff;
  for (int trial = 0; trial < 8; ++trial) {
    Tensor x = randomTensor(ElemType::I8, {n, c, h, w}, -128, 127);
    diff.add(runText(qop, {x}), runText(reference, {x}));
  }
  diff.report("QConvTranspose vs DQ->ConvTranspose->Q");
}

// ---- QMatMul --------------------------------------------------------------------

TEST(QMatMul, HandComputedWithBiasAndPerColumnWeights) {
  // a = [[3, 5]] (za = 1) -> [2, 4]; b per column zb = [0, 2], sb = [0.5, 0.25]:
  // col 0: 2*1 + 4*2 = 10 (+ bias 2 = 12), inScale 0.5 -> 6 / sy 1 -> 6
  // col 1: 2*(4-2) + 4*(0-2) = -4 (+ bias 0), inScale 0.25 -> -1
  std::string text =
      "graph @g(%a: " + qty({1, 2}, "u8", 1.0, 1) + ") {\n" +
      "  %b = const dense<[1, 4, 2, 0]> : " + qtyAxis({2, 2}, "i8", 1, {0.5, 0.25}, {0, 2}) + "\n" +
      "  %bias = const dense<[2, 0]> : tensor<2xi32>\n" +
      "  %y = qc.QMatMul(%a, %b, %bias) : " + qty({1, 2}, "i8", 1.0, 0) + "\n  return %y\n}\n";
  EXPECT_EQ(intsOf(runText(text, {Tensor::fromInts(ElemType::U8, {1, 2}, {3, 5})})), (Ints{6, -1}));

  // An f32 result: float(acc) * float(sa * sb[n]) = [12 * 0.5, -4 * 0.25].
  std::string floatOut = text;
  floatOut.replace(floatOut.rfind(qty({1, 2}, "i8", 1.0, 0)), qty({1, 2}, "i8", 1.0, 0).size(),
                   ty({1, 2}, "f32"));
  Tensor f = runText(floatOut, {Tensor::fromInts(ElemType::U8, {1, 2}, {3, 5})});
  ASSERT_EQ(f.elemType(), ElemType::F32);
  EXPECT_EQ(f.getDouble(0), 6.0);
  EXPECT_EQ(f.getDouble(1), -1.0);
}

TEST(QMatMul, ActTimesActBroadcastAgreesWithReferences) {
  // Attention-style a [2, 3, 4, 5] x b [3, 5, 6] (batch broadcast), both
  // per-tensor activations with non-zero zero points.
  Ints aDims = {2, 3, 4, 5}, bDims = {3, 5, 6}, yDims = {2, 3, 4, 6};
  double sa = randomScale(0.01, 0.05), sb = randomScale(0.01, 0.05);
  double sy = double(float(sa * sb * 200));
  int64_t za = 137, zb = 99, zy = 128;
  std::string qop =
      "graph @g(%a: " + qty(aDims, "u8", sa, za) + ", %b: " + qty(bDims, "u8", sb, zb) + ") {\n" +
      "  %y = qc.QMatMul(%a, %b) : " + qty(yDims, "u8", sy, zy) + "\n  return %y\n}\n";
  std::string params = "  %as = const dense<" + num(sa) + "> : tensor<f32>\n" +
                       "  %az = const dense<" + std::to_string(za) + "> : tensor<u8>\n" +
                       "  %bs = const dense<" + num(sb) + "> : tensor<f32>\n" +
                       "  %bz = const dense<" + std::to_string(zb) + "> : tensor<u8>\n" +
                       "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" +
                       "  %yz = const dense<" + std::to_string(zy) + "> : tensor<u8>\n";
  std::string inputs = "graph @g(%a: " + ty(aDims, "u8") + ", %b: " + ty(bDims, "u8") + ") {\n";
  std::string qdq =
      inputs + params + "  %af = DequantizeLinear(%a, %as, %az) : " + ty(aDims, "f32") + "\n" +
      "  %bf = DequantizeLinear(%b, %bs, %bz) : " + ty(bDims, "f32") + "\n" +
      "  %cf = MatMul(%af, %bf) : " + ty(yDims, "f32") + "\n" +
      "  %y = QuantizeLinear(%cf, %ys, %yz) : " + ty(yDims, "u8") + "\n  return %y\n}\n";
  std::string qlinear =
      inputs + params +
      "  %y = QLinearMatMul(%a, %as, %az, %b, %bs, %bz, %ys, %yz) : " + ty(yDims, "u8") +
      "\n  return %y\n}\n";
  Diff vsQdq, vsQLinear;
  for (int trial = 0; trial < 8; ++trial) {
    Tensor a = randomTensor(ElemType::U8, aDims, 0, 255);
    Tensor b = randomTensor(ElemType::U8, bDims, 0, 255);
    Tensor y = runText(qop, {a, b});
    vsQdq.add(y, runText(qdq, {a, b}));
    vsQLinear.add(y, runText(qlinear, {a, b}));
  }
  vsQdq.report("QMatMul act x act vs DQ->MatMul->Q");
  vsQLinear.report("QMatMul act x act vs QLinearMatMul");
}

// ---- QAdd, QMul, Requantize, QLut -------------------------------------------------

TEST(QAddQMul, HandComputed) {
  // a (sa 0.5, za 2) = [4, 0] -> [1, -1]; b (sb 0.25, zb 0) = [6] -> [1.5]
  // (broadcast); y sy 0.5, zy 10: add [2.5, 0.5] -> [5, 1] + 10 = [15, 11];
  // mul [1.5, -1.5] -> [3, -3] + 10 = [13, 7].
  auto graph = [](const char *op, const std::string &extra) {
    return "graph @g(%a: " + qty({2}, "u8", 0.5, 2) + ", %b: " + qty({1}, "i8", 0.25, 0) +
           ") {\n  %y = " + op + "(%a, %b)" + extra + " : " + qty({2}, "u8", 0.5, 10) +
           "\n  return %y\n}\n";
  };
  std::vector<Tensor> in = {Tensor::fromInts(ElemType::U8, {2}, {4, 0}),
                            Tensor::fromInts(ElemType::I8, {1}, {6})};
  EXPECT_EQ(intsOf(runText(graph("qc.QAdd", ""), in)), (Ints{15, 11}));
  EXPECT_EQ(intsOf(runText(graph("qc.QMul", ""), in)), (Ints{13, 7}));
  EXPECT_EQ(intsOf(runText(graph("qc.QAdd", " {act_min = 12}"), in)), (Ints{15, 12}));
  // An f32 result is the real sum: [2.5, 0.5].
  std::string floatOut = "graph @g(%a: " + qty({2}, "u8", 0.5, 2) +
                         ", %b: " + qty({1}, "i8", 0.25, 0) +
                         ") {\n  %y = qc.QAdd(%a, %b) : " + ty({2}, "f32") + "\n  return %y\n}\n";
  Tensor f = runText(floatOut, in);
  EXPECT_EQ(f.getDouble(0), 2.5);
  EXPECT_EQ(f.getDouble(1), 0.5);
  // Ties round half to even: 2.5 -> 2 with sy 1 (and 0.5 -> 0).
  std::string tie = "graph @g(%a: " + qty({2}, "u8", 0.5, 2) + ", %b: " + qty({1}, "i8", 0.25, 0) +
                    ") {\n  %y = qc.QAdd(%a, %b) : " + qty({2}, "u8", 1.0, 0) +
                    "\n  return %y\n}\n";
  EXPECT_EQ(intsOf(runText(tie, in)), (Ints{2, 0}));
}

TEST(QAddQMul, AgreeWithTheQdqReference) {
  for (const char *op : {"Add", "Mul"}) {
    Ints aDims = {2, 3, 8}, bDims = {3, 1};
    double sa = randomScale(0.01, 0.1), sb = randomScale(0.01, 0.1);
    double sy =
        std::string(op) == "Add" ? double(float((sa + sb) * 1.3)) : double(float(sa * sb * 60));
    int64_t za = 20, zb = -7, zy = 3;
    std::string qop = "graph @g(%a: " + qty(aDims, "i8", sa, za) +
                      ", %b: " + qty(bDims, "i8", sb, zb) + ") {\n  %y = qc.Q" + op +
                      "(%a, %b) : " + qty(aDims, "i8", sy, zy) + "\n  return %y\n}\n";
    std::string reference =
        "graph @g(%a: " + ty(aDims, "i8") + ", %b: " + ty(bDims, "i8") + ") {\n" +
        "  %as = const dense<" + num(sa) + "> : tensor<f32>\n" + "  %az = const dense<" +
        std::to_string(za) + "> : tensor<i8>\n" + "  %bs = const dense<" + num(sb) +
        "> : tensor<f32>\n" + "  %bz = const dense<" + std::to_string(zb) + "> : tensor<i8>\n" +
        "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" + "  %yz = const dense<" +
        std::to_string(zy) + "> : tensor<i8>\n" +
        "  %af = DequantizeLinear(%a, %as, %az) : " + ty(aDims, "f32") + "\n" +
        "  %bf = DequantizeLinear(%b, %bs, %bz) : " + ty(bDims, "f32") + "\n" + "  %cf = " + op +
        "(%af, %bf) : " + ty(aDims, "f32") + "\n" +
        "  %y = QuantizeLinear(%cf, %ys, %yz) : " + ty(aDims, "i8") + "\n  return %y\n}\n";
    Diff diff;
    for (int trial = 0; trial < 50; ++trial) {
      Tensor a = randomTensor(ElemType::I8, aDims, -128, 127);
      Tensor b = randomTensor(ElemType::I8, bDims, -128, 127);
      diff.add(runText(qop, {a, b}), runText(reference, {a, b}));
    }
    diff.report((std::string("Q") + op + " vs DQ->" + op + "->Q").c_str());
  }
}

TEST(Requantize, HandComputed) {
  // (q - 10) * 0.5 / 0.25 + (-5): [10, 11, 13, 200, 0] -> [-5, -3, 1, 375 -> 127, -25]
  std::string text = "graph @g(%x: " + qty({5}, "u8", 0.5, 10) +
                     ") {\n  %y = qc.Requantize(%x) : " + qty({5}, "i8", 0.25, -5) +
                     "\n  return %y\n}\n";
  EXPECT_EQ(intsOf(runText(text, {Tensor::fromInts(ElemType::U8, {5}, {10, 11, 13, 200, 0})})),
            (Ints{-5, -3, 1, 127, -25}));
}

TEST(QLut, IndexesFromTheTypeMinimum) {
  Ints table(256);
  for (int64_t i = 0; i < 256; ++i)
    table[size_t(i)] = 255 - i;
  std::string text = "graph @g(%x: " + qty({4}, "i8", 0.1, 0) + ") {\n" + "  %t = const dense<" +
                     list(table) + "> : tensor<256xu8>\n" +
                     "  %y = qc.QLut(%x, %t) : " + qty({4}, "u8", 0.05, 0) + "\n  return %y\n}\n";
  // i8 -128 is entry 0.
  EXPECT_EQ(intsOf(runText(text, {Tensor::fromInts(ElemType::I8, {4}, {-128, -1, 0, 127})})),
            (Ints{255, 128, 127, 0}));
}

// ---- Pools and reductions ------------------------------------------------------------

TEST(QAveragePool, CountIncludePadBothWays) {
  // Centred x = [[4, 8], [12, 16]] (zx 2), 2x2 windows, stride 1, pads 1
  // at the end: the padding counts as zx (0 once centred) and, with
  // count_include_pad, in n.
  auto graph = [](int includePad) {
    return "graph @g(%x: " + qty({1, 1, 2, 2}, "u8", 1.0, 2) +
           ") {\n  %y = qc.QAveragePool(%x) {count_include_pad = " + std::to_string(includePad) +
           ", kernel_shape = [2, 2], pads = [0, 0, 1, 1]} : " + qty({1, 1, 2, 2}, "u8", 1.0, 0) +
           "\n  return %y\n}\n";
  };
  Tensor x = Tensor::fromInts(ElemType::U8, {1, 1, 2, 2}, {6, 10, 14, 18});
  // Windows: (0,0) [4,8,12,16] = 40/4 = 10; (0,1) [8,16] = 24/2 = 12 or /4 = 6;
  // (1,0) [12,16] = 14 or 7; (1,1) [16] = 16 or 4.
  EXPECT_EQ(intsOf(runText(graph(0), {x})), (Ints{10, 12, 14, 16}));
  EXPECT_EQ(intsOf(runText(graph(1), {x})), (Ints{10, 6, 7, 4}));
}

TEST(QPoolsAndReduceMean, AgreeWithTheQdqReference) {
  Ints xDims = {2, 3, 5, 6};
  double sx = randomScale(0.01, 0.1), sy = double(float(sx * 0.7));
  int64_t zx = 100, zy = 90;
  struct Case {
    std::string qop, op, attrs, extraOperand, extraConst;
    Ints yDims;
  } cases[] = {
      {"qc.QAveragePool",
       "AveragePool",
       " {count_include_pad = 1, kernel_shape = [3, 2], pads = [1, 1, 1, 0], strides = [2, 2]}",
       "",
       "",
       {2, 3, 3, 3}},
      {"qc.QAveragePool",
       "AveragePool",
       " {ceil_mode = 1, kernel_shape = [3, 3], pads = [1, 1, 1, 1], strides = [2, 2]}",
       "",
       "",
       {2, 3, 3, 4}},
      {"qc.QGlobalAveragePool", "GlobalAveragePool", "", "", "", {2, 3, 1, 1}},
      {"qc.QReduceMean",
       "ReduceMean",
       " {keepdims = 0}",
       ", %axes",
       "  %axes = const dense<[1, 3]> : tensor<2xi64>\n",
       {2, 5}},
  };
  for (const Case &c : cases) {
    std::string qop = "graph @g(%x: " + qty(xDims, "u8", sx, zx) + ") {\n" + c.extraConst +
                      "  %y = " + c.qop + "(%x" + c.extraOperand + ")" + c.attrs + " : " +
                      qty(c.yDims, "u8", sy, zy) + "\n  return %y\n}\n";
    std::string reference =
        "graph @g(%x: " + ty(xDims, "u8") + ") {\n" + c.extraConst + "  %xs = const dense<" +
        num(sx) + "> : tensor<f32>\n" + "  %xz = const dense<" + std::to_string(zx) +
        "> : tensor<u8>\n" + "  %ys = const dense<" + num(sy) + "> : tensor<f32>\n" +
        "  %yz = const dense<" + std::to_string(zy) + "> : tensor<u8>\n" +
        "  %xf = DequantizeLinear(%x, %xs, %xz) : " + ty(xDims, "f32") + "\n" + "  %cf = " + c.op +
        "(%xf" + c.extraOperand + ")" + c.attrs + " : " + ty(c.yDims, "f32") + "\n" +
        "  %y = QuantizeLinear(%cf, %ys, %yz) : " + ty(c.yDims, "u8") + "\n  return %y\n}\n";
    Diff diff;
    for (int trial = 0; trial < 20; ++trial) {
      Tensor x = randomTensor(ElemType::U8, xDims, 0, 255);
      diff.add(runText(qop, {x}), runText(reference, {x}));
    }
    diff.report((c.qop + c.attrs + " vs DQ->" + c.op + "->Q").c_str());
  }
}

// ---- QSoftmax, QLayerNorm: the literal reference, fused -------------------------------

TEST(QSoftmaxQLayerNorm, EqualTheQdqReferenceExactly) {
  Ints xDims = {2, 3, 8};
  double sx = randomScale(0.02, 0.1);
  std::string params = "  %xs = const dense<" + num(sx) + "> : tensor<f32>\n" +
                       "  %xz = const dense<3> : tensor<i8>\n" +
                       "  %ys = const dense<0.00390625> : tensor<f32>\n" +
                       "  %yz = const dense<0> : tensor<u8>\n" +
                       "  %g = const dense<[0.5, 1.0, 1.5, 2.0, -1.0, 0.25, 1.0, 3.0]> : "
                       "tensor<8xf32>\n" +
                       "  %be = const dense<0.125> : tensor<8xf32>\n";
  struct Case {
    std::string qop, op, operands, attrs;
    bool floatOut;
  } cases[] = {{"qc.QSoftmax", "Softmax", "", " {axis = 1}", false},
               {"qc.QLayerNorm", "LayerNormalization", ", %g, %be", " {epsilon = 0.001}", false},
               {"qc.QLayerNorm", "LayerNormalization", ", %g", "", true}};
  for (const Case &c : cases) {
    std::string outType = c.floatOut ? ty(xDims, "f32") : qty(xDims, "u8", 0.00390625, 0);
    std::string qop = "graph @g(%x: " + qty(xDims, "i8", sx, 3) + ") {\n" + params +
                      "  %y = " + c.qop + "(%x" + c.operands + ")" + c.attrs + " : " + outType +
                      "\n  return %y\n}\n";
    std::string tail = c.floatOut ? "  return %cf\n}\n"
                                  : "  %y = QuantizeLinear(%cf, %ys, %yz) : " + ty(xDims, "u8") +
                                        "\n  return %y\n}\n";
    std::string reference = "graph @g(%x: " + ty(xDims, "i8") + ") {\n" + params +
                            "  %xf = DequantizeLinear(%x, %xs, %xz) : " + ty(xDims, "f32") +
                            "\n  %cf = " + c.op + "(%xf" + c.operands + ")" + c.attrs + " : " +
                            ty(xDims, "f32") + "\n" + tail;
    for (int trial = 0; trial < 10; ++trial) {
      Tensor x = randomTensor(ElemType::I8, xDims, -128, 127);
      Tensor a = runText(qop, {x}), b = runText(reference, {x});
      EXPECT_TRUE(a.identical(b)) << c.qop << c.attrs;
    }
  }
}

// ---- Shape inference, graph types and errors -------------------------------------------

TEST(QcOpsInference, GraphInferenceKeepsResultQuantization) {
  std::string text =
      "graph @g(%x: " + qty({1, 3, 8, 8}, "u8", 0.02, 128) + ") {\n" + "  %w = const dense<1> : " +
      qtyAxis({4, 3, 3, 3}, "i8", 0, {0.01, 0.02, 0.03, 0.04}, {0, 0, 0, 0}) +
      "\n  %y = qc.QConv(%x, %w) {strides = [2, 2]} : " + qty({1, 4, 3, 3}, "u8", 0.1, 0) + "\n" +
      "  %z = qc.QGlobalAveragePool(%y) : " + qty({1, 4, 1, 1}, "i8", 0.05, 0) +
      "\n  return %z\n}\n";
  auto g = parse(text);
  ASSERT_TRUE(g);
  // print(parse(x)) == x for the dotted op names.
  auto again = parse(ir::printGraph(*g));
  ASSERT_TRUE(again);
  EXPECT_EQ(ir::printGraph(*again), ir::printGraph(*g));
  if (llvm::Error e = ir::inferGraphTypes(*g))
    FAIL() << llvm::toString(std::move(e));
  EXPECT_EQ(g->findValue("y")->type().str(), "tensor<1x4x3x3xu8, quant<scale=0.1, zp=0>>");
  ASSERT_TRUE(g->findValue("y")->type().quant);
  // Scales are fp32 values: the parser reads "0.1" as float(0.1).
  EXPECT_EQ(g->findValue("y")->type().quant->scales, std::vector<double>{double(0.1f)});
  EXPECT_EQ(g->findValue("z")->type().quant->scales, std::vector<double>{double(0.05f)});
  if (llvm::Error e = ir::verifyGraph(*g))
    ADD_FAILURE() << llvm::toString(std::move(e));
}

TEST(QcOpsInference, Errors) {
  auto conv = [](const std::string &xType, const std::string &wType, const std::string &bias,
                 const std::string &attrs, const std::string &yType) {
    std::string b = bias.empty() ? "" : "  %b = const dense<0> : " + bias + "\n";
    return "graph @g(%x: " + xType + ") {\n  %w = const dense<1> : " + wType + "\n" + b +
           "  %y = qc.QConv(%x, %w" + (bias.empty() ? "" : ", %b") + ")" + attrs + " : " + yType +
           "\n  return %y\n}\n";
  };
  std::string x = qty({1, 2, 4, 4}, "u8", 0.1, 0), w = qty({3, 2, 1, 1}, "i8", 0.1, 0);
  std::string y = qty({1, 3, 4, 4}, "u8", 0.1, 0);
  Tensor xv(ElemType::U8, {1, 2, 4, 4});
  Tensor x4(ElemType::I8, {4});
  struct Case {
    std::string text, message;
    const Tensor *input = nullptr;
  } cases[] = {
      {conv(ty({1, 2, 4, 4}, "u8"), w, "", "", y), "input of type tensor<1x2x4x4xu8> has no "
                                                   "quantization parameters"},
      {conv(x, ty({3, 2, 1, 1}, "i8"), "", "", y), "weight of type"},
      {conv(x, qtyAxis({3, 2, 1, 1}, "i8", 0, {0.1, 0.2}, {0, 0}), "", "", y),
       "weight has 2 scales for 3 channels along axis 0"},
      {conv(x, qtyAxis({3, 2, 1, 1}, "i8", 1, {0.1, 0.2}, {0, 0}), "", "", y),
       "weight is quantized along axis 1, expected axis 0"},
      {conv(x, w, "tensor<3xi16>", "", y), "bias has element type i16, expected i32"},
      {conv(x, w, "tensor<4xi32>", "", y), "bias has 4 elements, expected 3 output channels"},
      {conv(x, qty({3, 2, 1, 1}, "i32", 0.1, 0), "", "", y),
       "weight has element type i32, expected i8 or u8"},
      {conv(x, w, "", "", ty({1, 3, 4, 4}, "u8")), "result of type"},
      {conv(x, w, "", " {act_min = 10}", ty({1, 3, 4, 4}, "f32")),
       "act_min/act_max need a quantized result type"},
      {conv(x, w, "", " {act_max = 300}", y), "clamp [0, 300] is not a range inside u8"},
      {"graph @g(%x: " + qty({4}, "i8", 0.1, 0) +
           ") {\n  %t = const dense<0> : tensor<128xu8>\n  %y = qc.QLut(%x, %t) : " +
           qty({4}, "u8", 0.1, 0) + "\n  return %y\n}\n",
       "table has shape 128, expected [256]", &x4},
      {"graph @g(%x: " + qty({4}, "i8", 0.1, 0) +
           ") {\n  %y = qc.Requantize(%x) : " + ty({4}, "f32") + "\n  return %y\n}\n",
       "is not a quantized integer type", &x4},
  };
  for (const Case &c : cases) {
    std::string error = errorOf(c.text, {c.input ? *c.input : xv});
    EXPECT_NE(error.find(c.message), std::string::npos)
        << "expected '" << c.message << "' in: " << error << "\n"
        << c.text;
    EXPECT_NE(error.find("qc."), std::string::npos) << error; // names the node
  }
  // The verifier reports the same inference errors.
  std::string error = verifierErrorOf(cases[5].text);
  EXPECT_NE(error.find("qc.QConv producing 'y': bias has 4 elements"), std::string::npos) << error;
}

// ---- The requantization scheme: measured ----------------------------------------------

/// Exact rne(acc * inScale / sy) in double (inScale / sy formed in double).
int64_t requantizeDouble(int64_t acc, double multiplier) {
  return int64_t(std::nearbyint(double(acc) * multiplier));
}

/// p / 2^shift rounded half to even.
int64_t roundingShift(__int128 p, int shift) {
  if (shift <= 0)
    return int64_t(p * (__int128(1) << -shift));
  __int128 d = __int128(1) << shift;
  __int128 q = p >= 0 ? p / d : -((-p) / d);
  __int128 r = p - q * d;
  __int128 twice = (r < 0 ? -r : r) * 2;
  if (twice > d || (twice == d && (q & 1)))
    q += p >= 0 ? 1 : -1;
  return int64_t(q);
}

/// gemmlowp/TFLite fixed point: M = m0 * 2^(exponent - 31) with m0 a Q31
/// int32 in [2^30, 2^31); y = (acc * m0 >> 31, rounded) >> -exponent
/// (rounded): the doubling high multiply, then the rounding divide by a power
/// of two, both rounding half to even here.
struct FixedPoint {
  int32_t m0 = 0;
  int exponent = 0;
  explicit FixedPoint(double m) {
    double mantissa = std::frexp(m, &exponent); // m = mantissa * 2^exponent, [0.5, 1)
    int64_t q = int64_t(std::nearbyint(mantissa * double(int64_t(1) << 31)));
    if (q == (int64_t(1) << 31)) {
      q /= 2;
      ++exponent;
    }
    m0 = int32_t(q);
  }
  /// gemmlowp's two roundings.
  int64_t apply(int64_t acc) const {
    int64_t high = roundingShift(__int128(acc) * m0, 31);
    return roundingShift(high, -exponent);
  }
  /// The same multiplier with one rounding of the exact product.
  int64_t applyOnce(int64_t acc) const { return roundingShift(__int128(acc) * m0, 31 - exponent); }
};

TEST(RequantizationScheme, Fp32MultiplierVersusExactAndFixedPoint) {
  // Accumulators and scales in the ranges real int8 models produce: x scale
  // 1e-3..0.1, w scale 1e-4..0.05, y scale such that acc * M lands in about
  // +-200, accumulators from sums of K = 9..4608 products.
  std::mt19937_64 gen(2024);
  std::uniform_real_distribution<double> logUnit(0.0, 1.0);
  auto logUniform = [&](double lo, double hi) {
    return std::exp(std::log(lo) + (std::log(hi) - std::log(lo)) * logUnit(gen));
  };
  constexpr int kSamples = 1000000;
  int64_t fp32VsExact = 0, fixedVsExact = 0, fixedOnceVsExact = 0, worst = 0, exactTies = 0;
  for (int i = 0; i < kSamples; ++i) {
    double sx = double(float(logUniform(1e-3, 0.1)));
    double sw = double(float(logUniform(1e-4, 0.05)));
    double k = std::floor(logUniform(9, 4608));
    double accRange = 127.0 * 127.0 * std::sqrt(k) * 0.5;
    int64_t acc =
        std::uniform_int_distribution<int64_t>(-int64_t(accRange), int64_t(accRange))(gen);
    double sy = double(float(sx * sw * accRange / logUniform(20, 200)));
    double exactMultiplier = sx * sw / sy;
    int64_t exact = requantizeDouble(acc, exactMultiplier);
    double product = double(acc) * exactMultiplier;
    exactTies += product - std::floor(product) == 0.5;
    // The scheme of docs/quantized-ir.md (zero point 0, no saturation, so the
    // rounding alone is compared).
    int64_t fp32 = int64_t(
        std::nearbyint(kernels::mulF32(float(acc), kernels::requantMultiplier(sx * sw, sy))));
    FixedPoint fixedPoint(exactMultiplier);
    int64_t fixed = fixedPoint.apply(acc), fixedOnce = fixedPoint.applyOnce(acc);
    fp32VsExact += fp32 != exact;
    fixedVsExact += fixed != exact;
    fixedOnceVsExact += fixedOnce != exact;
    worst = std::max({worst, int64_t(std::llabs(fp32 - exact)), int64_t(std::llabs(fixed - exact)),
                      int64_t(std::llabs(fixedOnce - exact))});
  }
  std::printf("[ requant  ] %d samples differing from exact double rne(acc * sx * sw / sy): "
              "fp32 multiplier %" PRId64 ", int32 fixed point gemmlowp-style (Q31 high multiply "
              "then rounding shift) %" PRId64 ", int32 fixed point with one rounding %" PRId64
              "; largest difference %" PRId64 ", exact ties %" PRId64 "\n",
              kSamples, fp32VsExact, fixedVsExact, fixedOnceVsExact, worst, exactTies);
  EXPECT_LE(worst, 1);
  // The chosen scheme (fp32) is the closest to exact arithmetic; gemmlowp's
  // two roundings double-round near ties about once per 1,000 outputs.
  EXPECT_LT(double(fp32VsExact) / kSamples, 1e-4);
  EXPECT_LT(double(fixedOnceVsExact) / kSamples, 1e-4);
  EXPECT_LT(double(fixedVsExact) / kSamples, 2e-3);
}

TEST(RequantizationScheme, SaturatesAndClamps) {
  using kernels::requantize;
  EXPECT_EQ(requantize(5, 0.5f, 0, -128, 127), 2);  // 2.5 -> 2 (half to even)
  EXPECT_EQ(requantize(7, 0.5f, 0, -128, 127), 4);  // 3.5 -> 4
  EXPECT_EQ(requantize(-5, 0.5f, 3, -128, 127), 1); // -2.5 -> -2, + 3
  EXPECT_EQ(requantize(1000, 1.0f, 0, -128, 127), 127);
  EXPECT_EQ(requantize(-1000, 1.0f, 0, 0, 255), 0);
  EXPECT_EQ(requantize(10, 1.0f, 100, 100, 105), 105);
  EXPECT_EQ(requantize(int64_t(1) << 40, 1.0f, 0, -128, 127), 127);
}

} // namespace
} // namespace qc::interp
