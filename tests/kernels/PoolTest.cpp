// Pooling kernels (Qs8Pool.cpp) of every ISA against the reference
// interpreter: qc.QAveragePool (count_include_pad both ways, pads, strides,
// ceil_mode), MaxPool (u8/s8/f32, NaN), qc.QGlobalAveragePool,
// qc.QReduceMean; NHWC where the policy says so; bit-exact.
#include <cmath>

#include "Q8KernelTester.h"
#include "ir/infer/InferRules.h"

namespace qc::test {
namespace {

using ir::AttrName;
using ir::ElemType;
using Dims = std::vector<int64_t>;

struct PoolCase {
  ir::OpKind kind = ir::OpKind::QAveragePool;
  int64_t channels = 19, height = 9, width = 8;
  Dims kernel = {3, 3}, strides = {1, 1}, dilations = {1, 1}, pads = {1, 1, 1, 1};
  bool ceilMode = false, includePad = false;
  ElemType xType = ElemType::U8, yType = ElemType::U8;
  int64_t xZp = 9, yZp = 250;
  bool nanInput = false;
  uint32_t seed = 11;

  void check() const {
    std::mt19937 rng(seed);
    Dims yDims = {1, channels};
    for (int d = 0; d < 2; ++d) {
      ir::Dim out = ir::infer::windowOutputDim(ir::Dim(d == 0 ? height : width), kernel[d],
                                               strides[d], dilations[d], pads[d], pads[d + 2],
                                               ceilMode);
      yDims.push_back(out.value());
    }
    Dims xDims = {1, channels, height, width};
    NodeSpec spec{kind, {}, {}, kNhwc, {}};
    bool isMax = kind == ir::OpKind::MaxPool;
    if (xType == ElemType::F32) {
      ir::Tensor x = randomFloatTensor(rng, xDims, -5, 5);
      if (nanInput)
        for (int64_t i = 0; i < x.numElements(); i += 7)
          x.setDouble(i, NAN);
      spec.operands.push_back({x, std::nullopt, false, kNhwc});
    } else {
      spec.operands.push_back(
          {randomTensor(rng, xType, xDims, ir::elemTypeMin(xType), ir::elemTypeMax(xType)),
           isMax ? std::optional<ir::QuantParams>() : perTensor(0.04, xZp), false, kNhwc});
    }
    if (isMax || yType == ElemType::F32)
      spec.result = ir::Type(isMax ? xType : ElemType::F32, ir::Shape::fromStatic(yDims));
    else
      spec.result = quantType(yType, yDims, perTensor(0.013, yZp));
    spec.attrs = {{AttrName::kernel_shape, kernel},
                  {AttrName::strides, strides},
                  {AttrName::pads, pads},
                  {AttrName::ceil_mode, int64_t(ceilMode)}};
    if (dilations != Dims{1, 1})
      spec.attrs.push_back({AttrName::dilations, dilations});
    if (!isMax)
      spec.attrs.push_back({AttrName::count_include_pad, int64_t(includePad)});
    checkAgainstInterpreter(spec);
  }
};

TEST(QAveragePool, Basic) {
  PoolCase c;
  c.check();
  c.includePad = true;
  c.check();
}
TEST(QAveragePool, StridesCeilModeOddSizes) {
  PoolCase c;
  c.channels = 65;
  c.height = 11;
  c.width = 7;
  c.strides = {2, 2};
  c.ceilMode = true;
  c.check();
  c.includePad = true;
  c.check();
  c.pads = {0, 1, 1, 0};
  c.kernel = {2, 4};
  c.check();
  c.includePad = false;
  c.check();
}
TEST(QAveragePool, NoPadTypesAndFloatOutput) {
  PoolCase c;
  c.pads = {0, 0, 0, 0};
  c.kernel = {2, 2};
  c.strides = {2, 2};
  c.xType = ElemType::I8;
  c.xZp = -128;
  c.yType = ElemType::I8;
  c.yZp = 127;
  c.check();
  c.yType = ElemType::F32;
  c.check();
  c.channels = 1;
  c.height = c.width = 2;
  c.check();
}
TEST(MaxPool, IntTypes) {
  for (ElemType t : {ElemType::U8, ElemType::I8}) {
    PoolCase c;
    c.kind = ir::OpKind::MaxPool;
    c.xType = t;
    c.check();
    c.strides = {2, 2};
    c.ceilMode = true;
    c.channels = 70;
    c.check();
    c.dilations = {2, 1};
    c.pads = {2, 0, 1, 1};
    c.check();
  }
}
// ResNet-18's stem pool (3x3 s2 pad 1) on 64 channels: interior windows
// take the unrolled path, the borders the clipped one.
TEST(MaxPool, InteriorAndBorderWindows) {
  for (ElemType t : {ElemType::U8, ElemType::I8, ElemType::F32}) {
    PoolCase c;
    c.kind = ir::OpKind::MaxPool;
    c.xType = t;
    c.channels = 64;
    c.height = 14;
    c.width = 13;
    c.strides = {2, 2};
    c.check();
    c.channels = 67;
    c.kernel = {2, 3};
    c.pads = {0, 0, 0, 0};
    c.dilations = {2, 2};
    c.check();
  }
}
TEST(MaxPool, FloatWithNaN) {
  PoolCase c;
  c.kind = ir::OpKind::MaxPool;
  c.xType = ElemType::F32;
  c.check();
  c.nanInput = true;
  c.check();
  c.kernel = {1, 1};
  c.pads = {0, 0, 0, 0};
  c.check();
}

struct GlobalCase {
  Dims dims = {1, 37, 7, 7};
  std::vector<int> perm = kNhwc;
  ElemType xType = ElemType::U8, yType = ElemType::U8;
  int64_t xZp = 128, yZp = 3;

  void check() const {
    std::mt19937 rng(17);
    Dims yDims = dims;
    for (size_t d = 2; d < yDims.size(); ++d)
      yDims[d] = 1;
    bool rank4 = dims.size() == 4;
    NodeSpec spec{ir::OpKind::QGlobalAveragePool, {}, {}, rank4 ? kNhwc : std::vector<int>(),
                  {}};
    spec.operands.push_back(
        {randomTensor(rng, xType, dims, ir::elemTypeMin(xType), ir::elemTypeMax(xType)),
         perTensor(0.05, xZp), false, rank4 ? perm : std::vector<int>()});
    spec.result = yType == ElemType::F32 ? ir::Type(ElemType::F32, ir::Shape::fromStatic(yDims))
                                         : quantType(yType, yDims, perTensor(0.011, yZp));
    checkAgainstInterpreter(spec);
  }
};

TEST(QGlobalAveragePool, Nhwc) {
  GlobalCase c;
  c.check();
  c.dims = {1, 1280, 7, 7};
  c.check();
  c.dims = {1, 130, 1, 1};
  c.xType = ElemType::I8;
  c.xZp = -128;
  c.yType = ElemType::F32;
  c.check();
}
TEST(QGlobalAveragePool, LogicalLayouts) {
  GlobalCase c;
  c.perm = {0, 1, 2, 3};
  c.check();
  c.dims = {1, 5, 33};
  c.check();
}

struct ReduceCase {
  Dims dims = {1, 6, 5, 7};
  std::optional<Dims> axes = Dims{2, 3};
  bool keepDims = true, noop = false;
  ElemType xType = ElemType::U8, yType = ElemType::U8;

  void check() const {
    std::mt19937 rng(23);
    Dims yDims;
    for (size_t d = 0; d < dims.size(); ++d) {
      bool reduced = !axes || axes->empty() ? !noop : false;
      if (axes)
        for (int64_t a : *axes)
          reduced = reduced || (a < 0 ? a + int64_t(dims.size()) : a) == int64_t(d);
      if (!reduced)
        yDims.push_back(dims[d]);
      else if (keepDims)
        yDims.push_back(1);
    }
    NodeSpec spec{ir::OpKind::QReduceMean, {}, {}, {}, {}};
    spec.operands.push_back(
        {randomTensor(rng, xType, dims, ir::elemTypeMin(xType), ir::elemTypeMax(xType)),
         perTensor(0.05, 77), false, {}});
    if (axes)
      spec.operands.push_back({ir::Tensor::fromInts(ElemType::I64, {int64_t(axes->size())},
                                                    *axes),
                               std::nullopt, true, {}});
    spec.result = yType == ElemType::F32 ? ir::Type(ElemType::F32, ir::Shape::fromStatic(yDims))
                                         : quantType(yType, yDims, perTensor(0.02, 120));
    spec.attrs = {{AttrName::keepdims, int64_t(keepDims)},
                  {AttrName::noop_with_empty_axes, int64_t(noop)}};
    checkAgainstInterpreter(spec);
  }
};

TEST(QReduceMean, Axes) {
  ReduceCase c;
  c.check();
  c.axes = Dims{1};
  c.check();
  c.axes = Dims{-1, 1};
  c.keepDims = false;
  c.check();
  c.axes = std::nullopt; // everything
  c.check();
  c.axes = Dims{2};
  c.xType = ElemType::I8;
  c.yType = ElemType::F32;
  c.check();
}
TEST(QReduceMean, NoopWithEmptyAxes) {
  ReduceCase c;
  c.axes = Dims{};
  c.noop = true;
  c.check();
}

} // namespace
} // namespace qc::test
