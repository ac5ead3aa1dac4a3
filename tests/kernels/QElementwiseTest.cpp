// int8 elementwise kernels (Qs8Elementwise.cpp) of every ISA against the
// reference interpreter: qc.QAdd / qc.QMul with broadcasting over NHWC and
// logical layouts, qc.Requantize, qc.QLut; bit-exact.
#include "Q8KernelTester.h"

namespace qc::test {
namespace {

using ir::AttrName;
using ir::ElemType;
using Dims = std::vector<int64_t>;

struct BinaryCase {
  ir::OpKind kind = ir::OpKind::QAdd;
  Dims aDims = {1, 19, 5, 7}, bDims = {1, 19, 5, 7};
  std::vector<int> aPerm = kNhwc, bPerm = kNhwc, yPerm = kNhwc;
  ElemType aType = ElemType::U8, bType = ElemType::U8, yType = ElemType::U8;
  double aScale = 0.05, bScale = 0.02, yScale = 0.07;
  int64_t aZp = 128, bZp = 3, yZp = 100;
  bool bConstant = false;
  std::optional<int64_t> actMin, actMax;
  uint32_t seed = 1;

  void check() const {
    std::mt19937 rng(seed);
    Dims yDims(std::max(aDims.size(), bDims.size()), 1);
    for (size_t i = 0; i < yDims.size(); ++i) {
      size_t fromEnd = yDims.size() - 1 - i;
      int64_t a = fromEnd < aDims.size() ? aDims[aDims.size() - 1 - fromEnd] : 1;
      int64_t b = fromEnd < bDims.size() ? bDims[bDims.size() - 1 - fromEnd] : 1;
      yDims[i] = std::max(a, b);
    }
    auto perm = [](const std::vector<int> &p, size_t rank) {
      return rank == 4 ? p : std::vector<int>();
    };
    NodeSpec spec{kind, {}, {}, perm(yPerm, yDims.size()), {}};
    spec.operands.push_back({randomTensor(rng, aType, aDims, ir::elemTypeMin(aType),
                                          ir::elemTypeMax(aType)),
                             perTensor(aScale, aZp), false, perm(aPerm, aDims.size())});
    spec.operands.push_back({randomTensor(rng, bType, bDims, ir::elemTypeMin(bType),
                                          ir::elemTypeMax(bType)),
                             perTensor(bScale, bZp), bConstant,
                             bConstant ? std::vector<int>() : perm(bPerm, bDims.size())});
    spec.result = yType == ElemType::F32 ? ir::Type(ElemType::F32, ir::Shape::fromStatic(yDims))
                                         : quantType(yType, yDims, perTensor(yScale, yZp));
    if (actMin)
      spec.attrs.push_back({AttrName::act_min, *actMin});
    if (actMax)
      spec.attrs.push_back({AttrName::act_max, *actMax});
    checkAgainstInterpreter(spec);
  }
};

TEST(QElementwise, AddSameShapeNhwc) { BinaryCase().check(); }
TEST(QElementwise, MulSameShapeNhwc) {
  BinaryCase c;
  c.kind = ir::OpKind::QMul;
  c.check();
}
TEST(QElementwise, BroadcastShapes) {
  for (ir::OpKind kind : {ir::OpKind::QAdd, ir::OpKind::QMul}) {
    BinaryCase c;
    c.kind = kind;
    c.bDims = {1, 19, 1, 1}; // per-channel vector, e.g. SE scaling
    c.check();
    c.bDims = {7};
    c.check();
    c.bDims = {1, 1, 5, 1};
    c.check();
    c.aDims = {1, 1, 5, 7};
    c.bDims = {1, 19, 1, 1};
    c.check();
  }
}
TEST(QElementwise, MixedLayouts) {
  BinaryCase c;
  c.bPerm = {0, 1, 2, 3}; // one operand logical, the other and y NHWC
  c.check();
  c.yPerm = {0, 1, 2, 3};
  c.aPerm = {0, 1, 2, 3};
  c.check();
}
TEST(QElementwise, ConstantOperand) {
  BinaryCase c;
  c.bConstant = true;
  c.bDims = {1, 19, 1, 1};
  c.check();
  c.kind = ir::OpKind::QMul;
  c.check();
}
TEST(QElementwise, TypesAndFloatOutput) {
  BinaryCase c;
  c.aType = ElemType::I8;
  c.aZp = -128;
  c.yType = ElemType::I8;
  c.yZp = 127;
  c.check();
  c.yType = ElemType::F32;
  c.check();
  c.kind = ir::OpKind::QMul;
  c.bType = ElemType::I8;
  c.bZp = 127;
  c.check();
}
TEST(QElementwise, ScalesDifferingBy1e6AndClamp) {
  BinaryCase c;
  c.aScale = 1.0;
  c.bScale = 1e-6;
  c.yScale = 1e-3;
  c.check();
  c.actMin = 110;
  c.actMax = 200;
  c.check();
  c.kind = ir::OpKind::QMul;
  c.yScale = 1e-5;
  c.check();
}
TEST(QElementwise, OddRanksAndSizes) {
  for (Dims d : {Dims{1}, Dims{1, 1, 1, 1}, Dims{3, 1, 65}, Dims{2, 33}, Dims{1, 130, 1, 1}}) {
    BinaryCase c;
    c.aDims = c.bDims = d;
    c.check();
  }
}

struct UnaryCase {
  ir::OpKind kind = ir::OpKind::Requantize;
  Dims dims = {1, 21, 3, 5};
  std::vector<int> perm = kNhwc, yPerm = kNhwc;
  ElemType xType = ElemType::U8, yType = ElemType::I8;
  double xScale = 0.03, yScale = 0.011;
  int64_t xZp = 7, yZp = -5;
  uint32_t seed = 3;

  void check() const {
    std::mt19937 rng(seed);
    bool rank4 = dims.size() == 4;
    NodeSpec spec{kind, {}, {}, rank4 ? yPerm : std::vector<int>(), {}};
    spec.operands.push_back({randomTensor(rng, xType, dims, ir::elemTypeMin(xType),
                                          ir::elemTypeMax(xType)),
                             perTensor(xScale, xZp), false, rank4 ? perm : std::vector<int>()});
    if (kind == ir::OpKind::QLut) {
      ElemType tableType = yType;
      spec.operands.push_back({randomTensor(rng, tableType, {256}, ir::elemTypeMin(tableType),
                                            ir::elemTypeMax(tableType)),
                               std::nullopt, true, {}});
    }
    spec.result = yType == ElemType::F32 ? ir::Type(ElemType::F32, ir::Shape::fromStatic(dims))
                                         : quantType(yType, dims, perTensor(yScale, yZp));
    checkAgainstInterpreter(spec);
  }
};

TEST(QElementwise, Requantize) {
  UnaryCase c;
  c.check();
  c.yPerm = {0, 1, 2, 3};
  c.check();
  c.xType = ElemType::I8;
  c.xZp = 127;
  c.yType = ElemType::U8;
  c.yZp = 255;
  c.yScale = 3e-5;
  c.check();
  c.dims = {1, 1, 1, 1};
  c.check();
}
TEST(QElementwise, Lut) {
  UnaryCase c;
  c.kind = ir::OpKind::QLut;
  c.check();
  c.xType = ElemType::I8;
  c.yType = ElemType::U8;
  c.yZp = 3;
  c.dims = {2, 77};
  c.check();
}
// Rows longer than a task's chunk (ResNet-18's residual adds): split over
// tasks, including a partial last chunk and an f32 result.
TEST(QElementwise, LongRowsSplit) {
  BinaryCase c;
  c.aDims = c.bDims = {1, 64, 23, 29};
  c.check();
  c.yType = ElemType::F32;
  c.check();
  UnaryCase u;
  u.dims = {1, 33, 37, 41};
  u.check();
  u.kind = ir::OpKind::QLut;
  u.check();
}
// A rank-4 unary op between layouts (the driver lets Requantize and QLut
// write NHWC from a logical input).
TEST(QElementwise, UnaryLayoutChange) {
  for (ir::OpKind kind : {ir::OpKind::Requantize, ir::OpKind::QLut}) {
    UnaryCase u;
    u.kind = kind;
    u.dims = {1, 3, 17, 19};
    u.perm = {0, 1, 2, 3};
    u.check();
  }
}

} // namespace
} // namespace qc::test
