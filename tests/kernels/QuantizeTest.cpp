// QuantizeLinear / DequantizeLinear kernels (Quantize.cpp) of every ISA
// against the reference interpreter: per tensor and per axis on every axis,
// NHWC and logical layouts, ties, NaN/Inf, zero points at the type limits.
#include <cmath>

#include "Q8KernelTester.h"

namespace qc::test {
namespace {

using ir::AttrName;
using ir::ElemType;
using Dims = std::vector<int64_t>;

struct QdqCase {
  bool quantize = true;
  Dims dims = {1, 19, 5, 6};
  std::vector<int> perm = kNhwc;
  std::optional<std::vector<int>> inPerm; // the input's perm when it differs from perm
  ElemType qType = ElemType::U8;
  std::optional<int64_t> axis; // per-axis when set
  bool zeroPoint = true;
  bool specials = false;
  double scaleLo = 0.01, scaleHi = 0.1;
  uint32_t seed = 5;

  void check() const {
    std::mt19937 rng(seed);
    bool rank4 = dims.size() == 4;
    std::vector<int> p = rank4 ? perm : std::vector<int>();
    std::vector<int> xp = rank4 && inPerm ? *inPerm : p;
    int64_t count = axis ? dims[size_t(*axis < 0 ? *axis + int64_t(dims.size()) : *axis)] : 1;
    std::uniform_real_distribution<double> scaleDist(scaleLo, scaleHi);
    ir::Tensor scale(ElemType::F32, axis ? Dims{count} : Dims{});
    ir::Tensor zp(qType, axis ? Dims{count} : Dims{});
    for (int64_t i = 0; i < count; ++i) {
      scale.setDouble(i, scaleDist(rng));
      int64_t lo = ir::elemTypeMin(qType), hi = ir::elemTypeMax(qType);
      if (qType == ElemType::I32)
        lo = hi = 0; // DequantizeLinear of int32 requires zero point 0
      zp.setInt(i, i == 0 ? lo : i == 1 ? hi : std::uniform_int_distribution<int64_t>(lo, hi)(rng));
    }
    NodeSpec spec{quantize ? ir::OpKind::QuantizeLinear : ir::OpKind::DequantizeLinear,
                  {}, {}, p, {}};
    if (quantize) {
      ir::Tensor x = randomFloatTensor(rng, dims, -30.0f, 30.0f);
      if (specials) {
        const double values[] = {NAN, INFINITY, -INFINITY, 1e30, -1e30, 0.0, -0.0};
        for (int64_t i = 0; i < x.numElements() && i < 7; ++i)
          x.setDouble(i * 3, values[i]);
        // Exact ties: x / scale = k + 0.5 when scale is a power of two.
        for (int64_t i = 7; i < x.numElements(); i += 5)
          x.setDouble(i * 3 % x.numElements(), (double(i % 40) - 20.5) * 0.25);
      }
      spec.operands.push_back({x, std::nullopt, false, xp});
      spec.result = ir::Type(qType, ir::Shape::fromStatic(dims));
    } else {
      int64_t lo = ir::elemTypeMin(qType), hi = ir::elemTypeMax(qType);
      if (qType == ElemType::I32) {
        lo = -3000000;
        hi = 3000000;
      }
      spec.operands.push_back({randomTensor(rng, qType, dims, lo, hi), std::nullopt, false, xp});
      spec.result = ir::Type(ElemType::F32, ir::Shape::fromStatic(dims));
    }
    spec.operands.push_back({scale, std::nullopt, true, {}});
    OperandSpec z{zp, std::nullopt, true, {}};
    z.absent = !zeroPoint;
    spec.operands.push_back(z);
    if (axis)
      spec.attrs.push_back({AttrName::axis, *axis});
    checkAgainstInterpreter(spec);
  }
};

TEST(Quantize, PerTensorNhwc) {
  QdqCase c;
  c.check();
  c.zeroPoint = false; // u8 by default
  c.check();
  c.zeroPoint = true;
  c.qType = ElemType::I8;
  c.check();
}
TEST(Quantize, SpecialValuesAndTies) {
  QdqCase c;
  c.specials = true;
  c.scaleLo = c.scaleHi = 0.25;
  c.check();
  c.qType = ElemType::I8;
  c.check();
}
TEST(Quantize, PerAxisEveryAxis) {
  for (int64_t axis : {1, 2, 3, -1}) {
    SCOPED_TRACE("axis " + std::to_string(axis));
    QdqCase c;
    c.axis = axis;
    c.check();
    c.perm = {0, 1, 2, 3};
    c.check();
  }
  QdqCase c;
  c.dims = {3, 17};
  c.axis = 0;
  c.check();
}
TEST(Quantize, ScalesDifferingBy1e6) {
  QdqCase c;
  c.axis = 1;
  c.scaleLo = 1e-7;
  c.scaleHi = 0.1;
  c.check();
}
// An NCHW graph input quantized straight into NHWC (the interleaving
// kernel for C <= 8: several pixel blocks, per tensor and per channel).
TEST(Quantize, PlanesToNhwc) {
  for (int64_t channels : {3, 1, 8, 9}) {
    for (bool perChannel : {false, true}) {
      SCOPED_TRACE("C " + std::to_string(channels) + (perChannel ? " per channel" : ""));
      QdqCase c;
      c.dims = {1, channels, 37, 29};
      c.inPerm = std::vector<int>{0, 1, 2, 3};
      if (perChannel)
        c.axis = 1;
      c.check();
      c.qType = ElemType::I8;
      c.specials = true;
      c.check();
    }
  }
  QdqCase c; // the other way round: NHWC to planes
  c.dims = {1, 3, 40, 40};
  c.inPerm = kNhwc;
  c.perm = {0, 1, 2, 3};
  c.check();
}
// Rows longer than a task's chunk: split across tasks.
TEST(Quantize, LongRowsSplit) {
  for (bool quantize : {true, false}) {
    QdqCase c;
    c.quantize = quantize;
    c.dims = {1, 3, 150, 151};
    c.perm = {0, 1, 2, 3};
    c.check();
    c.axis = 1;
    c.check();
  }
}
TEST(Dequantize, PerTensorAndTypes) {
  for (ElemType t : {ElemType::U8, ElemType::I8, ElemType::I32}) {
    QdqCase c;
    c.quantize = false;
    c.qType = t;
    c.check();
    c.axis = 1;
    c.check();
  }
}
TEST(Dequantize, PerAxisEveryAxis) {
  for (int64_t axis : {0, 1, 2, 3}) {
    QdqCase c;
    c.quantize = false;
    c.dims = {1, 7, 66, 3};
    c.axis = axis;
    c.perm = axis == 0 ? std::vector<int>{0, 1, 2, 3} : kNhwc;
    c.check();
  }
}
TEST(Dequantize, OddShapes) {
  for (Dims d : {Dims{1}, Dims{130}, Dims{1, 1, 1, 1}, Dims{2, 3, 65}}) {
    QdqCase c;
    c.quantize = false;
    c.dims = d;
    c.check();
    c.quantize = true;
    c.check();
  }
}

} // namespace
} // namespace qc::test
