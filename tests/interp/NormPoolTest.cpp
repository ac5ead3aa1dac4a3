// Tests of shape inference and reference kernels for normalization, pooling,
// reduction and Resize. Expected values are hand-computed, taken from the
// ONNX operator spec's examples, or computed with numpy through the ONNX 1.12
// reference functions (onnx/backend/test/case/node/*.py) and, for opset-18+
// features (antialias, half_pixel_symmetric), a numpy transcription of the
// newer ONNX reference's formulas.
#include <cmath>
#include <gtest/gtest.h>

#include "interp/Interpreter.h"
#include "ir/Graph.h"
#include "ir/ShapeInference.h"

namespace {

using namespace qc;
using ir::AttrName;
using ir::Dim;
using ir::ElemType;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;
using ir::Type;

/// Builds a one-node graph and either evaluates the node or infers its types.
/// Operands are graph inputs (or constants, which shape inference sees).
class OpTester {
public:
  explicit OpTester(OpKind kind, size_t numResults = 1)
      : kind_(kind), numResults_(numResults) {}

  OpTester &input(Tensor t) {
    operands_.push_back(Operand{t.type(), std::move(t), false});
    return *this;
  }
  /// An operand shape inference sees as a constant.
  OpTester &constant(Tensor t) {
    operands_.push_back(Operand{t.type(), std::move(t), true});
    return *this;
  }
  /// An operand of a (possibly symbolic) type with no value.
  OpTester &typed(Type type) {
    operands_.push_back(Operand{std::move(type), std::nullopt, false});
    return *this;
  }
  OpTester &absent() {
    operands_.push_back(Operand{Type(), std::nullopt, false, true});
    return *this;
  }
  OpTester &attr(AttrName name, ir::AttrValue value) {
    attrs_.emplace_back(name, std::move(value));
    return *this;
  }

  llvm::Expected<std::vector<Tensor>> run() {
    ir::Node &node = build();
    std::vector<const Tensor *> values;
    for (const Operand &o : operands_)
      values.push_back(o.value ? &*o.value : nullptr);
    return interp::evaluateNode(node, values);
  }
  /// Runs and returns output `i`, failing the test on an error.
  Tensor runOk(size_t i = 0) {
    auto r = run();
    if (!r) {
      ADD_FAILURE() << llvm::toString(r.takeError());
      return Tensor();
    }
    return (*r)[i];
  }
  /// The message of the error running fails with ("" when it succeeds).
  std::string runError() {
    auto r = run();
    return r ? std::string() : llvm::toString(r.takeError());
  }

  llvm::Expected<std::vector<Type>> infer() {
    return ir::inferResultTypes(ir::makeInferContext(build()));
  }
  std::string inferred(size_t i = 0) {
    auto r = infer();
    if (!r)
      return "error: " + llvm::toString(r.takeError());
    return (*r)[i].str();
  }

private:
  struct Operand {
    Type type;
    std::optional<Tensor> value;
    bool isConstant;
    bool isAbsent = false;
  };

  ir::Node &build() {
    graph_ = std::make_unique<ir::Graph>();
    std::vector<ir::Value *> operands;
    for (size_t i = 0; i < operands_.size(); ++i) {
      const Operand &o = operands_[i];
      std::string name = "in" + std::to_string(i);
      if (o.isAbsent)
        operands.push_back(nullptr);
      else if (o.isConstant)
        operands.push_back(graph_->addConstant(name, *o.value));
      else
        operands.push_back(graph_->addInput(name, o.type));
    }
    std::vector<std::pair<std::string, Type>> results;
    for (size_t i = 0; i < numResults_; ++i)
      results.emplace_back("out" + std::to_string(i), Type());
    ir::Node *node = graph_->createNode(kind_, operands, results);
    for (auto &[name, value] : attrs_)
      node->setAttr(name, value);
    return *node;
  }

  OpKind kind_;
  size_t numResults_;
  std::vector<Operand> operands_;
  std::vector<std::pair<AttrName, ir::AttrValue>> attrs_;
  std::unique_ptr<ir::Graph> graph_;
};

Tensor f32(std::vector<int64_t> dims, std::vector<double> values) {
  return Tensor::fromDoubles(ElemType::F32, std::move(dims), values);
}
Tensor i64s(std::vector<int64_t> values) {
  int64_t n = int64_t(values.size());
  return Tensor::fromInts(ElemType::I64, {n}, values);
}
Tensor f32s(std::vector<double> values) {
  int64_t n = int64_t(values.size());
  return Tensor::fromDoubles(ElemType::F32, {n}, values);
}
/// 1 .. n as f32 in the given shape.
Tensor iota(std::vector<int64_t> dims) {
  int64_t n = 1;
  for (int64_t d : dims)
    n *= d;
  std::vector<double> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    v[size_t(i)] = double(i + 1);
  return f32(std::move(dims), v);
}
Type symbolic(ElemType e, std::vector<Dim> dims) { return Type(e, Shape(std::move(dims))); }

void expectNear(const Tensor &t, const std::vector<int64_t> &dims,
                const std::vector<double> &expected, double tol = 1e-5) {
  ASSERT_EQ(t.dims(), dims);
  ASSERT_EQ(t.numElements(), int64_t(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i) {
    double want = expected[i], got = t.getDouble(int64_t(i));
    if (std::isinf(want))
      EXPECT_EQ(got, want) << "element " << i;
    else
      EXPECT_NEAR(got, want, tol * std::max(1.0, std::abs(want))) << "element " << i;
  }
}

void expectInts(const Tensor &t, const std::vector<int64_t> &dims,
                const std::vector<int64_t> &expected) {
  ASSERT_EQ(t.dims(), dims);
  ASSERT_EQ(t.numElements(), int64_t(expected.size()));
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_EQ(t.getInt(int64_t(i)), expected[i]) << "element " << i;
}

#define EXPECT_ERROR(tester, fragment)                                         \
  EXPECT_NE((tester).runError().find(fragment), std::string::npos)             \
      << (tester).runError()

// ---------------------------------------------------------------- Softmax

TEST(NormPoolTest, SoftmaxLastAxis) {
  Tensor y = OpTester(OpKind::Softmax).input(f32({2, 3}, {0, 1, 2, 1, 1, 1})).runOk();
  expectNear(y, {2, 3}, {0.09003057, 0.24472848, 0.66524094, 1. / 3, 1. / 3, 1. / 3});
}

TEST(NormPoolTest, SoftmaxIsStableForLargeInputs) {
  // Subtracting the max keeps exp finite: same as softmax([0, 1, 2]).
  Tensor y = OpTester(OpKind::Softmax).input(f32({1, 3}, {1000, 1001, 1002})).runOk();
  expectNear(y, {1, 3}, {0.09003057, 0.24472848, 0.66524094});
}

TEST(NormPoolTest, SoftmaxOuterAndNegativeAxes) {
  std::vector<double> x;
  for (int i = 0; i < 12; ++i)
    x.push_back(i * 0.5 - 2);
  // Along axis 0 the two slices differ by 3: 1 / (1 + e^3) and its complement.
  Tensor y0 = OpTester(OpKind::Softmax).input(f32({2, 3, 2}, x)).attr(AttrName::axis, int64_t(0)).runOk();
  std::vector<double> e0(6, 0.04742587);
  e0.resize(12, 0.95257413);
  expectNear(y0, {2, 3, 2}, e0);
  Tensor y1 = OpTester(OpKind::Softmax).input(f32({2, 3, 2}, x)).attr(AttrName::axis, int64_t(-2)).runOk();
  std::vector<double> row = {0.09003057, 0.09003057, 0.24472848, 0.24472848, 0.66524094, 0.66524094};
  std::vector<double> e1 = row;
  e1.insert(e1.end(), row.begin(), row.end());
  expectNear(y1, {2, 3, 2}, e1);
}

TEST(NormPoolTest, SoftmaxHalf) {
  Tensor x = Tensor::fromDoubles(ElemType::F16, {1, 4}, {0, 0, 0, 0});
  Tensor y = OpTester(OpKind::Softmax).input(x).runOk();
  EXPECT_EQ(y.elemType(), ElemType::F16);
  expectNear(y, {1, 4}, {0.25, 0.25, 0.25, 0.25}, 0);
}

TEST(NormPoolTest, SoftmaxErrors) {
  OpTester badAxis(OpKind::Softmax);
  badAxis.input(f32({2, 3}, {0, 0, 0, 0, 0, 0})).attr(AttrName::axis, int64_t(2));
  EXPECT_ERROR(badAxis, "axis 2 is out of range for rank 2");
  OpTester intInput(OpKind::Softmax);
  intInput.input(Tensor::fromInts(ElemType::I8, {2}, {1, 2}));
  EXPECT_ERROR(intInput, "element type i8, expected a float type");
}

// ------------------------------------------------------ BatchNormalization

TEST(NormPoolTest, BatchNormSpecExample) {
  // The ONNX spec's example (test_batchnorm_example, inference part).
  Tensor y = OpTester(OpKind::BatchNormalization)
                 .input(f32({1, 2, 1, 3}, {-1, 0, 1, 2, 3, 4}))
                 .input(f32s({1.0, 1.5}))
                 .input(f32s({0, 1}))
                 .input(f32s({0, 3}))
                 .input(f32s({1, 1.5}))
                 .runOk();
  expectNear(y, {1, 2, 1, 3}, {-0.999995, 0, 0.999995, -0.22474074, 1, 2.2247407});
}

TEST(NormPoolTest, BatchNormErrors) {
  auto make = [](int64_t channels, int64_t training) {
    OpTester t(OpKind::BatchNormalization);
    t.input(f32({1, 2, 2}, {1, 2, 3, 4}));
    for (int i = 0; i < 4; ++i)
      t.input(Tensor(ElemType::F32, {channels}));
    t.attr(AttrName::training_mode, training);
    return t;
  };
  OpTester training = make(2, 1);
  EXPECT_ERROR(training, "training_mode=1 is not supported");
  OpTester wrongChannels = make(3, 0);
  EXPECT_ERROR(wrongChannels, "scale has 3 elements, X has 2 channels");
  OpTester flat(OpKind::BatchNormalization);
  flat.input(f32s({1, 2}));
  for (int i = 0; i < 4; ++i)
    flat.input(f32s({1}));
  EXPECT_ERROR(flat, "input X has rank 1, expected at least 2");
}

// ------------------------------------------------------ LayerNormalization

TEST(NormPoolTest, LayerNormAxis1On3D) {
  std::vector<double> x = {-3.0, -2.0, -0.17157292366027832, 2.196152687072754,
                           5.0, 8.180339813232422, 11.696938514709473, 15.520257949829102,
                           19.627416610717773, 24.0, 28.62277603149414, 33.482872009277344};
  // Scale (3) and bias (1) broadcast to the normalized shape 2x3.
  auto r = OpTester(OpKind::LayerNormalization, 3)
               .input(f32({2, 2, 3}, x))
               .input(f32s({0.5, 1.0, 2.0}))
               .input(f32s({0.25}))
               .attr(AttrName::axis, int64_t(1))
               .run();
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  expectNear((*r)[0], {2, 2, 3},
             {-0.34889516, -0.69298577, -0.70418847, 0.31310651, 1.09064615, 3.55202222,
              -0.45177144, -0.64059305, -0.4291248, 0.37353927, 1.11728621, 3.2886672});
  EXPECT_EQ((*r)[1].elemType(), ElemType::F32);
  expectNear((*r)[1], {2, 1, 1}, {1.70081997, 22.15837669});
  expectNear((*r)[2], {2, 1, 1}, {0.25480455, 0.13416347});
}

TEST(NormPoolTest, LayerNormShapesWithSymbolicBatch) {
  OpTester t(OpKind::LayerNormalization, 3);
  t.typed(symbolic(ElemType::F32, {Dim::symbol("N"), 4, 8}))
      .typed(symbolic(ElemType::F32, {8}));
  EXPECT_EQ(t.inferred(0), "tensor<Nx4x8xf32>");
  EXPECT_EQ(t.inferred(1), "tensor<Nx4x1xf32>");
  EXPECT_EQ(t.inferred(2), "tensor<Nx4x1xf32>");
}

TEST(NormPoolTest, LayerNormErrors) {
  OpTester badScale(OpKind::LayerNormalization);
  badScale.input(f32({2, 3}, {1, 2, 3, 4, 5, 6})).input(f32s({1, 1, 1, 1}));
  EXPECT_ERROR(badScale, "scale has shape 4, which does not broadcast to the normalized shape 3");
  OpTester badAxis(OpKind::LayerNormalization);
  badAxis.input(f32({2, 3}, {1, 2, 3, 4, 5, 6})).input(f32s({1})).attr(AttrName::axis, int64_t(-3));
  EXPECT_ERROR(badAxis, "axis -3 is out of range for rank 2");
  OpTester badStash(OpKind::LayerNormalization);
  badStash.input(f32({1, 2}, {1, 2})).input(f32s({1})).attr(AttrName::stash_type, int64_t(7));
  EXPECT_ERROR(badStash, "stash_type 7 is not a float type code");
}

// ---------------------------------------------------------------- MaxPool

TEST(NormPoolTest, MaxPoolCeilMode) {
  // test_maxpool_2d_ceil: 4x4, kernel 3, stride 2; ceil_mode adds the
  // partial last window.
  Tensor y = OpTester(OpKind::MaxPool)
                 .input(iota({1, 1, 4, 4}))
                 .attr(AttrName::kernel_shape, std::vector<int64_t>{3, 3})
                 .attr(AttrName::strides, std::vector<int64_t>{2, 2})
                 .attr(AttrName::ceil_mode, int64_t(1))
                 .runOk();
  expectNear(y, {1, 1, 2, 2}, {11, 12, 15, 16});
}

TEST(NormPoolTest, MaxPoolCeilModeDropsWindowStartingInEndPadding) {
  // Extent 4, kernel 2, stride 2, end pad 1: ceil((4 + 1 - 2) / 2) + 1 = 3
  // windows, but the third would start at 4, inside the end padding.
  OpTester t(OpKind::MaxPool);
  t.input(iota({1, 1, 4}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
      .attr(AttrName::strides, std::vector<int64_t>{2})
      .attr(AttrName::pads, std::vector<int64_t>{0, 1})
      .attr(AttrName::ceil_mode, int64_t(1));
  expectNear(t.runOk(), {1, 1, 2}, {2, 4});
  // Extent 5: the third window starts at 4, inside the input, and keeps
  // only its one real tap.
  OpTester u(OpKind::MaxPool);
  u.input(iota({1, 1, 5}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
      .attr(AttrName::strides, std::vector<int64_t>{2})
      .attr(AttrName::ceil_mode, int64_t(1));
  expectNear(u.runOk(), {1, 1, 3}, {2, 4, 5});
}

TEST(NormPoolTest, MaxPoolIndicesRowAndColumnMajor) {
  // Two channels of 3x3; channel 1 is channel 0 reversed. Kernel 2, stride 1.
  std::vector<double> x = {1, 9, 2, 4, 3, 8, 7, 5, 6};
  std::vector<double> both = x;
  both.insert(both.end(), x.rbegin(), x.rend());
  auto run = [&](int64_t storageOrder) {
    auto r = OpTester(OpKind::MaxPool, 2)
                 .input(f32({1, 2, 3, 3}, both))
                 .attr(AttrName::kernel_shape, std::vector<int64_t>{2, 2})
                 .attr(AttrName::storage_order, storageOrder)
                 .run();
    EXPECT_TRUE(bool(r));
    return r ? *r : std::vector<Tensor>{};
  };
  std::vector<Tensor> rowMajor = run(0);
  ASSERT_EQ(rowMajor.size(), 2u);
  // Channel 0 windows: {1,9,4,3} {9,2,3,8} {4,3,7,5} {3,8,5,6}.
  // Channel 1 = 6 5 7 / 8 3 4 / 2 9 1: {6,5,8,3} {5,7,3,4} {8,3,2,9} {3,4,9,1}.
  expectNear(rowMajor[0], {1, 2, 2, 2}, {9, 9, 7, 8, 8, 7, 9, 9});
  EXPECT_EQ(rowMajor[1].elemType(), ElemType::I64);
  // Flat indices into the whole input: (h, w) -> c*9 + h*3 + w.
  expectInts(rowMajor[1], {1, 2, 2, 2}, {1, 1, 6, 5, 9 + 3, 9 + 2, 9 + 7, 9 + 7});
  // Column-major spatial index: (h, w) -> c*9 + w*3 + h.
  std::vector<Tensor> colMajor = run(1);
  ASSERT_EQ(colMajor.size(), 2u);
  expectInts(colMajor[1], {1, 2, 2, 2}, {3, 3, 2, 7, 9 + 1, 9 + 6, 9 + 5, 9 + 5});
}

TEST(NormPoolTest, MaxPoolDilated) {
  // test_maxpool_2d_dilations: taps (0,0) (0,2) (2,0) (2,2) of each window.
  Tensor y = OpTester(OpKind::MaxPool)
                 .input(iota({1, 1, 4, 4}))
                 .attr(AttrName::kernel_shape, std::vector<int64_t>{2, 2})
                 .attr(AttrName::dilations, std::vector<int64_t>{2, 2})
                 .runOk();
  expectNear(y, {1, 1, 2, 2}, {11, 12, 15, 16});
}

TEST(NormPoolTest, MaxPoolInt8PaddingNeverWins) {
  // All values negative: a zero from padding would win if it were a candidate.
  Tensor x = Tensor::fromInts(ElemType::I8, {1, 1, 4}, {-5, -3, -7, -1});
  Tensor y = OpTester(OpKind::MaxPool)
                 .input(x)
                 .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
                 .attr(AttrName::strides, std::vector<int64_t>{2})
                 .attr(AttrName::pads, std::vector<int64_t>{1, 1})
                 .runOk();
  EXPECT_EQ(y.elemType(), ElemType::I8);
  expectInts(y, {1, 1, 3}, {-5, -3, -1});
  Tensor u = Tensor::fromInts(ElemType::U8, {1, 1, 3}, {200, 255, 7});
  Tensor yu = OpTester(OpKind::MaxPool)
                  .input(u)
                  .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
                  .runOk();
  expectInts(yu, {1, 1, 2}, {255, 255});
}

TEST(NormPoolTest, PoolShapesWithSymbolicBatch) {
  OpTester t(OpKind::MaxPool, 2);
  t.typed(symbolic(ElemType::F32, {Dim::symbol("N"), 3, 8, 8}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{3, 3})
      .attr(AttrName::strides, std::vector<int64_t>{2, 2})
      .attr(AttrName::pads, std::vector<int64_t>{1, 1, 1, 1});
  EXPECT_EQ(t.inferred(0), "tensor<Nx3x4x4xf32>");
  EXPECT_EQ(t.inferred(1), "tensor<Nx3x4x4xi64>");
  // A symbolic spatial extent leaves its output extent unknown.
  OpTester s(OpKind::AveragePool);
  s.typed(symbolic(ElemType::F32, {Dim::symbol("N"), 3, Dim::symbol("H"), 8}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2, 2})
      .attr(AttrName::auto_pad, std::string("SAME_UPPER"));
  EXPECT_EQ(s.inferred(), "tensor<Nx3x?x8xf32>");
  OpTester g(OpKind::GlobalAveragePool);
  g.typed(symbolic(ElemType::F32, {Dim::symbol("N"), 16, 7, 7}));
  EXPECT_EQ(g.inferred(), "tensor<Nx16x1x1xf32>");
}

TEST(NormPoolTest, PoolErrors) {
  OpTester noKernel(OpKind::MaxPool);
  noKernel.input(iota({1, 1, 4, 4}));
  EXPECT_ERROR(noKernel, "kernel_shape is required");
  OpTester flat(OpKind::MaxPool);
  flat.input(iota({1, 4})).attr(AttrName::kernel_shape, std::vector<int64_t>{2});
  EXPECT_ERROR(flat, "input has shape 1x4, expected N x C x D1 x ... (rank >= 3)");
  OpTester bigPad(OpKind::AveragePool);
  bigPad.input(iota({1, 1, 4}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
      .attr(AttrName::pads, std::vector<int64_t>{2, 0});
  EXPECT_ERROR(bigPad, "pads (2, 0) on spatial dim 0 are not smaller than the window extent 2");
  OpTester tooBig(OpKind::MaxPool);
  tooBig.input(iota({1, 1, 2})).attr(AttrName::kernel_shape, std::vector<int64_t>{3});
  EXPECT_ERROR(tooBig, "does not fit spatial dim 0");
  OpTester intAvg(OpKind::AveragePool);
  intAvg.input(Tensor::fromInts(ElemType::U8, {1, 1, 2}, {1, 2}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2});
  EXPECT_ERROR(intAvg, "element type u8, expected a float type");
  OpTester hugeKernel(OpKind::MaxPool);
  hugeKernel.input(iota({1, 1, 4})).attr(AttrName::kernel_shape, std::vector<int64_t>{int64_t(1) << 40});
  EXPECT_ERROR(hugeKernel, "of spatial dim 0 exceed 2^31");
  OpTester badStorage(OpKind::MaxPool);
  badStorage.input(iota({1, 1, 4}))
      .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
      .attr(AttrName::storage_order, int64_t(2));
  EXPECT_ERROR(badStorage, "storage_order is 2");
}

// ------------------------------------------------------------ AveragePool

TEST(NormPoolTest, AveragePoolCountIncludePad) {
  // [1 2 3 4], kernel 3, pads 1 each side: the edge windows hold one pad.
  auto run = [](int64_t includePad) {
    return OpTester(OpKind::AveragePool)
        .input(iota({1, 1, 4}))
        .attr(AttrName::kernel_shape, std::vector<int64_t>{3})
        .attr(AttrName::pads, std::vector<int64_t>{1, 1})
        .attr(AttrName::count_include_pad, includePad)
        .runOk();
  };
  expectNear(run(0), {1, 1, 4}, {1.5, 2, 3, 3.5});
  expectNear(run(1), {1, 1, 4}, {1, 2, 3, 7.0 / 3});
}

TEST(NormPoolTest, AveragePoolCeilModeOverhangIsNeverCounted) {
  // [1 2 3 4 5], kernel 2, stride 2, end pad 1, ceil_mode: the third window
  // covers 5 and the end pad; only count_include_pad counts the pad.
  auto run = [](int64_t includePad, int64_t padEnd) {
    return OpTester(OpKind::AveragePool)
        .input(iota({1, 1, 5}))
        .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
        .attr(AttrName::strides, std::vector<int64_t>{2})
        .attr(AttrName::pads, std::vector<int64_t>{0, padEnd})
        .attr(AttrName::ceil_mode, int64_t(1))
        .attr(AttrName::count_include_pad, includePad)
        .runOk();
  };
  expectNear(run(0, 1), {1, 1, 3}, {1.5, 3.5, 5});
  expectNear(run(1, 1), {1, 1, 3}, {1.5, 3.5, 2.5});
  // Without the end pad the overhang is not padding: 5 / 1 either way.
  expectNear(run(1, 0), {1, 1, 3}, {1.5, 3.5, 5});
}

TEST(NormPoolTest, AveragePoolAutoPad) {
  auto run = [](const char *autoPad) {
    return OpTester(OpKind::AveragePool)
        .input(iota({1, 1, 5}))
        .attr(AttrName::kernel_shape, std::vector<int64_t>{2})
        .attr(AttrName::auto_pad, std::string(autoPad))
        .runOk();
  };
  // One pad in total: at the end for SAME_UPPER, at the start for SAME_LOWER.
  expectNear(run("SAME_UPPER"), {1, 1, 5}, {1.5, 2.5, 3.5, 4.5, 5});
  expectNear(run("SAME_LOWER"), {1, 1, 5}, {1, 1.5, 2.5, 3.5, 4.5});
  expectNear(run("VALID"), {1, 1, 4}, {1.5, 2.5, 3.5, 4.5});
}

TEST(NormPoolTest, AveragePoolDilated2D) {
  // 4x4 = 1..16, kernel 2x2, dilation 2 (extent 3), pads 1: output 4x4;
  // window (i, j) taps rows {i-1, i+1} and columns {j-1, j+1}.
  auto run = [](int64_t includePad) {
    return OpTester(OpKind::AveragePool)
        .input(iota({1, 1, 4, 4}))
        .attr(AttrName::kernel_shape, std::vector<int64_t>{2, 2})
        .attr(AttrName::dilations, std::vector<int64_t>{2, 2})
        .attr(AttrName::pads, std::vector<int64_t>{1, 1, 1, 1})
        .attr(AttrName::count_include_pad, includePad)
        .runOk();
  };
  // Inside taps only: x(r, c) = 4r + c + 1 averaged over the valid rows and
  // columns, e.g. (0,0) keeps only (1,1) = 6; (1,1) averages 1, 3, 9, 11.
  expectNear(run(0), {1, 1, 4, 4}, {6, 6, 7, 7, 6, 6, 7, 7, 10, 10, 11, 11, 10, 10, 11, 11});
  // Counting the pads every window has 4 taps: (0,0) = 6 / 4, (0,1) = (5 + 7) / 4.
  expectNear(run(1), {1, 1, 4, 4},
             {1.5, 3, 3.5, 1.75, 3, 6, 7, 3.5, 5, 10, 11, 5.5, 2.5, 5, 5.5, 2.75});
}

TEST(NormPoolTest, AveragePool3D) {
  // 2x2x2 kernel over a 1..27 cube (3x3x3), stride 1: each window's mean is
  // the value at its center corner + (1 + 3 + 9) / 2.
  Tensor y = OpTester(OpKind::AveragePool)
                 .input(iota({1, 1, 3, 3, 3}))
                 .attr(AttrName::kernel_shape, std::vector<int64_t>{2, 2, 2})
                 .runOk();
  expectNear(y, {1, 1, 2, 2, 2}, {7.5, 8.5, 10.5, 11.5, 16.5, 17.5, 19.5, 20.5});
}

TEST(NormPoolTest, GlobalPools) {
  Tensor x = f32({1, 2, 2, 2}, {1, 2, 3, 6, -1, -2, -3, -4});
  expectNear(OpTester(OpKind::GlobalAveragePool).input(x).runOk(), {1, 2, 1, 1}, {3, -2.5});
  expectNear(OpTester(OpKind::GlobalMaxPool).input(x).runOk(), {1, 2, 1, 1}, {6, -1});
  Tensor q = Tensor::fromInts(ElemType::I8, {1, 1, 3}, {-100, -20, -50});
  expectInts(OpTester(OpKind::GlobalMaxPool).input(q).runOk(), {1, 1, 1}, {-20});
}

// ---------------------------------------------------------------- Reduce

const std::vector<double> kReduceData = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

TEST(NormPoolTest, ReduceSumKeepDims) {
  // The ONNX spec's example: data 3x2x2, axes [1].
  Tensor y = OpTester(OpKind::ReduceSum).input(f32({3, 2, 2}, kReduceData)).input(i64s({1})).runOk();
  expectNear(y, {3, 1, 2}, {4, 6, 12, 14, 20, 22});
  Tensor flat = OpTester(OpKind::ReduceSum)
                    .input(f32({3, 2, 2}, kReduceData))
                    .input(i64s({-2}))
                    .attr(AttrName::keepdims, int64_t(0))
                    .runOk();
  expectNear(flat, {3, 2}, {4, 6, 12, 14, 20, 22});
}

TEST(NormPoolTest, ReduceEmptyAxes) {
  Tensor all = OpTester(OpKind::ReduceSum).input(f32({3, 2, 2}, kReduceData)).runOk();
  expectNear(all, {1, 1, 1}, {78});
  Tensor scalar = OpTester(OpKind::ReduceSum)
                      .input(f32({3, 2, 2}, kReduceData))
                      .input(Tensor(ElemType::I64, {0}))
                      .attr(AttrName::keepdims, int64_t(0))
                      .runOk();
  expectNear(scalar, {}, {78});
  Tensor same = OpTester(OpKind::ReduceSum)
                    .input(f32({3, 2, 2}, kReduceData))
                    .input(Tensor(ElemType::I64, {0}))
                    .attr(AttrName::noop_with_empty_axes, int64_t(1))
                    .runOk();
  expectNear(same, {3, 2, 2}, kReduceData);
}

TEST(NormPoolTest, ReduceMeanMaxMinNegativeAxes) {
  // The ONNX spec's ReduceMean example, axes [-2].
  Tensor x = f32({3, 2, 2}, {5, 1, 20, 2, 30, 1, 40, 2, 55, 1, 60, 2});
  expectNear(OpTester(OpKind::ReduceMean).input(x).input(i64s({-2})).runOk(), {3, 1, 2},
             {12.5, 1.5, 35, 1.5, 57.5, 1.5});
  expectNear(OpTester(OpKind::ReduceMax).input(x).input(i64s({-1, 0})).runOk(), {1, 2, 1},
             {55, 60});
  expectNear(OpTester(OpKind::ReduceMin)
                 .input(x)
                 .input(i64s({0, 2}))
                 .attr(AttrName::keepdims, int64_t(0))
                 .runOk(),
             {2}, {1, 2});
}

TEST(NormPoolTest, ReduceIntegers) {
  Tensor x = Tensor::fromInts(ElemType::I8, {2, 3}, {100, -7, 100, -128, 5, -1});
  // Sums wrap as a sum in the type: 100 - 7 + 100 = 193 -> -63.
  expectInts(OpTester(OpKind::ReduceSum).input(x).input(i64s({1})).runOk(), {2, 1}, {-63, -124});
  expectInts(OpTester(OpKind::ReduceMax).input(x).input(i64s({0})).runOk(), {1, 3},
             {100, 5, 100});
  expectInts(OpTester(OpKind::ReduceMin).input(x).input(i64s({0})).runOk(), {1, 3},
             {-128, -7, -1});
  // The integer mean truncates toward zero: 3/2 -> 1, -3/2 -> -1.
  Tensor m = Tensor::fromInts(ElemType::I32, {2, 2}, {1, 2, -1, -2});
  expectInts(OpTester(OpKind::ReduceMean).input(m).input(i64s({1})).runOk(), {2, 1}, {1, -1});
}

TEST(NormPoolTest, ReduceOverEmptySet) {
  Tensor x(ElemType::F32, {2, 0});
  expectNear(OpTester(OpKind::ReduceMax).input(x).input(i64s({1})).runOk(), {2, 1},
             {-INFINITY, -INFINITY});
  expectNear(OpTester(OpKind::ReduceMin).input(x).input(i64s({1})).runOk(), {2, 1},
             {INFINITY, INFINITY});
  expectNear(OpTester(OpKind::ReduceSum).input(x).input(i64s({1})).runOk(), {2, 1}, {0, 0});
  Tensor q(ElemType::U8, {0, 3});
  expectInts(OpTester(OpKind::ReduceMax).input(q).input(i64s({0})).runOk(), {1, 3}, {0, 0, 0});
  expectInts(OpTester(OpKind::ReduceMin).input(q).input(i64s({0})).runOk(), {1, 3},
             {255, 255, 255});
}

TEST(NormPoolTest, ReduceShapes) {
  Type x = symbolic(ElemType::F32, {Dim::symbol("N"), 3, 5});
  OpTester knownAxes(OpKind::ReduceMean);
  knownAxes.typed(x).constant(i64s({-1}));
  EXPECT_EQ(knownAxes.inferred(), "tensor<Nx3x1xf32>");
  // Axes not known before running: keepdims keeps the rank only.
  OpTester unknownKeep(OpKind::ReduceSum);
  unknownKeep.typed(x).typed(symbolic(ElemType::I64, {1}));
  EXPECT_EQ(unknownKeep.inferred(), "tensor<?x?x?xf32>");
  OpTester unknownDrop(OpKind::ReduceSum);
  unknownDrop.typed(x).typed(symbolic(ElemType::I64, {1})).attr(AttrName::keepdims, int64_t(0));
  EXPECT_EQ(unknownDrop.inferred(), "tensor<*xf32>");
}

TEST(NormPoolTest, ReduceErrors) {
  OpTester repeated(OpKind::ReduceSum);
  repeated.input(f32({3, 2, 2}, kReduceData)).input(i64s({1, -2}));
  EXPECT_ERROR(repeated, "axis -2 is repeated in axes");
  OpTester outOfRange(OpKind::ReduceMax);
  outOfRange.input(f32({3, 2, 2}, kReduceData)).input(i64s({3}));
  EXPECT_ERROR(outOfRange, "axis 3 is out of range for rank 3");
  OpTester matrixAxes(OpKind::ReduceMin);
  matrixAxes.input(f32({3, 2, 2}, kReduceData)).input(Tensor::fromInts(ElemType::I64, {1, 1}, {0}));
  EXPECT_ERROR(matrixAxes, "axes has shape 1x1, expected 1-D");
  OpTester boolSum(OpKind::ReduceSum);
  boolSum.input(Tensor::fromInts(ElemType::Bool, {2}, {1, 0}));
  EXPECT_ERROR(boolSum, "element type bool, expected a numeric type");
}

// ---------------------------------------------------------------- Resize

OpTester resizeScales(Tensor x, std::vector<double> scales, const char *mode,
                      const char *coordinates = "half_pixel") {
  OpTester t(OpKind::Resize);
  t.input(std::move(x)).absent().input(f32s(std::move(scales)));
  t.attr(AttrName::mode, std::string(mode));
  t.attr(AttrName::coordinate_transformation_mode, std::string(coordinates));
  return t;
}

OpTester resizeSizes(Tensor x, std::vector<int64_t> sizes, const char *mode,
                     const char *coordinates = "half_pixel") {
  OpTester t(OpKind::Resize);
  t.input(std::move(x)).absent().absent().input(i64s(std::move(sizes)));
  t.attr(AttrName::mode, std::string(mode));
  t.attr(AttrName::coordinate_transformation_mode, std::string(coordinates));
  return t;
}

TEST(NormPoolTest, ResizeNearestSpecExamples) {
  Tensor up = resizeScales(iota({1, 1, 2, 2}), {1, 1, 2, 3}, "nearest").runOk();
  expectNear(up, {1, 1, 4, 6},
             {1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4});
  Tensor down = resizeScales(iota({1, 1, 2, 4}), {1, 1, 0.6, 0.6}, "nearest").runOk();
  expectNear(down, {1, 1, 1, 2}, {1, 3});
}

TEST(NormPoolTest, ResizeNearestModes) {
  OpTester ceil = resizeSizes(iota({1, 1, 4, 4}), {1, 1, 3, 5}, "nearest", "asymmetric");
  ceil.attr(AttrName::nearest_mode, std::string("round_prefer_ceil"));
  expectNear(ceil.runOk(), {1, 1, 3, 5}, {1, 2, 3, 3, 4, 5, 6, 7, 7, 8, 13, 14, 15, 15, 16});
  OpTester floor = resizeSizes(iota({1, 1, 4, 4}), {1, 1, 3, 5}, "nearest", "align_corners");
  floor.attr(AttrName::nearest_mode, std::string("floor"));
  expectNear(floor.runOk(), {1, 1, 3, 5}, {1, 1, 2, 3, 4, 5, 5, 6, 7, 8, 13, 13, 14, 15, 16});
}

TEST(NormPoolTest, ResizeLinear) {
  // The spec's test_resize_upsample_scales_linear.
  Tensor up = resizeScales(iota({1, 1, 2, 2}), {1, 1, 2, 2}, "linear").runOk();
  expectNear(up, {1, 1, 4, 4},
             {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  // test_resize_downsample_scales_linear_align_corners.
  Tensor corners =
      resizeScales(iota({1, 1, 2, 4}), {1, 1, 0.6, 0.6}, "linear", "align_corners").runOk();
  expectNear(corners, {1, 1, 1, 2}, {1, 3.142857});
  Tensor torch =
      resizeSizes(iota({1, 1, 4, 4}), {1, 1, 3, 1}, "linear", "pytorch_half_pixel").runOk();
  expectNear(torch, {1, 1, 3, 1}, {1.6666666, 7, 12.333333});
}

TEST(NormPoolTest, ResizeCubicCoordinateModes) {
  struct Case {
    const char *mode;
    std::vector<double> expected;
  } cases[] = {
      {"half_pixel",
       {2.5381944, 3.03125, 3.8379629, 4.4120369, 5.21875, 5.7118053, 11.288195, 11.78125,
        12.587963, 13.162037, 13.96875, 14.461805}},
      {"asymmetric",
       {1, 1.574074, 2.3703704, 3, 3.7407408, 4.1111112, 9, 9.574074, 10.37037, 11, 11.740741,
        12.111111}},
      {"align_corners",
       {1, 1.504, 2.248, 2.752, 3.496, 4, 13, 13.504, 14.248, 14.752, 15.496, 16}},
  };
  for (const Case &c : cases) {
    SCOPED_TRACE(c.mode);
    Tensor y = resizeScales(iota({1, 1, 4, 4}), {1, 1, 0.5, 1.5}, "cubic", c.mode).runOk();
    expectNear(y, {1, 1, 2, 6}, c.expected);
  }
}

TEST(NormPoolTest, ResizeCubicExcludeOutside) {
  OpTester t = resizeSizes(iota({1, 1, 4, 4}), {1, 1, 3, 3}, "cubic");
  t.attr(AttrName::cubic_coeff_a, -0.5f).attr(AttrName::exclude_outside, int64_t(1));
  expectNear(t.runOk(), {1, 1, 3, 3},
             {1.5142232, 2.9113786, 4.3085341, 7.1028447, 8.5, 9.8971558, 12.691466,
              14.088621, 15.485777});
}

TEST(NormPoolTest, ResizeTfCropAndResize) {
  OpTester t(OpKind::Resize);
  t.input(iota({1, 1, 4, 4}))
      .input(f32s({0, 0, 0.4, 0.6, 1, 1, 0.6, 0.8}))
      .absent()
      .input(i64s({1, 1, 3, 3}))
      .attr(AttrName::mode, std::string("linear"))
      .attr(AttrName::coordinate_transformation_mode, std::string("tf_crop_and_resize"))
      .attr(AttrName::extrapolation_value, 10.0f);
  expectNear(t.runOk(), {1, 1, 3, 3}, {7.6, 7.9, 8.2, 8.8, 9.1, 9.4, 10, 10.3, 10.6});
  // A crop box past the input's end extrapolates.
  OpTester out(OpKind::Resize);
  out.input(iota({1, 1, 1, 4}))
      .input(f32s({0.5, 1.5}))
      .absent()
      .input(i64s({3}))
      .attr(AttrName::axes, std::vector<int64_t>{3})
      .attr(AttrName::mode, std::string("linear"))
      .attr(AttrName::coordinate_transformation_mode, std::string("tf_crop_and_resize"))
      .attr(AttrName::extrapolation_value, -1.0f);
  // Coordinates 1.5, 3 and 4.5 (past the last index 3).
  expectNear(out.runOk(), {1, 1, 1, 3}, {2.5, 4, -1});
}

TEST(NormPoolTest, ResizeHalfPixelSymmetric) {
  Tensor down =
      resizeScales(iota({1, 1, 1, 4}), {1, 1, 1, 0.6}, "linear", "half_pixel_symmetric").runOk();
  expectNear(down, {1, 1, 1, 2}, {1.6666666, 3.3333333});
  Tensor up =
      resizeScales(iota({1, 1, 2, 2}), {1, 1, 2.3, 2.94}, "linear", "half_pixel_symmetric")
          .runOk();
  expectNear(up, {1, 1, 4, 5},
             {1, 1.1598639, 1.5, 1.840136, 2, 1.5652174, 1.7250813, 2.0652175, 2.4053535,
              2.5652175, 2.4347825, 2.5946465, 2.9347825, 3.2749186, 3.4347825, 3, 3.159864,
              3.5, 3.840136, 4});
}

TEST(NormPoolTest, ResizeAntialias) {
  OpTester linear = resizeScales(iota({1, 1, 4, 4}), {1, 1, 0.6, 0.6}, "linear");
  linear.attr(AttrName::antialias, int64_t(1));
  expectNear(linear.runOk(), {1, 1, 2, 2}, {2.875, 4.5, 9.375, 11});
  OpTester cubic = resizeScales(iota({1, 1, 4, 4}), {1, 1, 0.6, 0.6}, "cubic");
  cubic.attr(AttrName::antialias, int64_t(1));
  expectNear(cubic.runOk(), {1, 1, 2, 2}, {2.5180721, 4.2858863, 9.589329, 11.357142});
  OpTester sizes = resizeSizes(iota({1, 1, 4, 4}), {3, 2}, "linear");
  sizes.attr(AttrName::antialias, int64_t(1)).attr(AttrName::axes, std::vector<int64_t>{2, 3});
  expectNear(sizes.runOk(), {1, 1, 3, 2},
             {2.715909, 4.465909, 7.625, 9.375, 12.534091, 14.284091});
}

TEST(NormPoolTest, ResizeAxesAndAspectRatio) {
  // Negative axes name the spatial dims; other dims are not resized.
  OpTester axes = resizeScales(iota({1, 1, 2, 2}), {2, 2}, "linear");
  axes.attr(AttrName::axes, std::vector<int64_t>{-2, -1});
  expectNear(axes.runOk(), {1, 1, 4, 4},
             {1, 1.25, 1.75, 2, 1.5, 1.75, 2.25, 2.5, 2.5, 2.75, 3.25, 3.5, 3, 3.25, 3.75, 4});
  // sizes 7x8 of 2x2: not_larger scales both by 3.5 (7x7), not_smaller by 4.
  auto policy = [](const char *p) {
    OpTester t = resizeSizes(iota({1, 1, 2, 2}), {7, 8}, "nearest");
    t.attr(AttrName::axes, std::vector<int64_t>{2, 3})
        .attr(AttrName::keep_aspect_ratio_policy, std::string(p));
    return t;
  };
  Tensor notLarger = policy("not_larger").runOk();
  ASSERT_EQ(notLarger.dims(), (std::vector<int64_t>{1, 1, 7, 7}));
  // Rows map to (o + 0.5) / 3.5 - 0.5, rounded half down: rows 0-3 -> 0.
  std::vector<double> firstColumn;
  for (int64_t r = 0; r < 7; ++r)
    firstColumn.push_back(notLarger.getDouble(r * 7));
  EXPECT_EQ(firstColumn, (std::vector<double>{1, 1, 1, 1, 3, 3, 3}));
  EXPECT_EQ(policy("not_smaller").runOk().dims(), (std::vector<int64_t>{1, 1, 8, 8}));
}

TEST(NormPoolTest, ResizeIntegerRounding) {
  // Linear weights of u8 [0 5] by 4: 0 1.25 2.5 3.75 5 ... round half to even.
  Tensor x = Tensor::fromInts(ElemType::U8, {1, 2}, {0, 5});
  Tensor y = resizeScales(x, {1, 4}, "linear", "asymmetric").runOk();
  EXPECT_EQ(y.elemType(), ElemType::U8);
  expectInts(y, {1, 8}, {0, 1, 2, 4, 5, 5, 5, 5});
  // Cubic over- and undershoot saturate: raw -23.9, 36.6, 218.4, 302.8, ...
  Tensor step = Tensor::fromInts(ElemType::U8, {1, 6}, {0, 0, 255, 255, 0, 0});
  expectInts(resizeScales(step, {1, 1.5}, "cubic").runOk(), {1, 9},
             {0, 0, 37, 218, 255, 218, 37, 0, 0});
  // Nearest copies integers exactly.
  Tensor big = Tensor::fromInts(ElemType::I64, {2}, {(int64_t(1) << 60) + 1, -3});
  expectInts(resizeScales(big, {2}, "nearest").runOk(), {4},
             {(int64_t(1) << 60) + 1, (int64_t(1) << 60) + 1, -3, -3});
}

TEST(NormPoolTest, ResizeShapes) {
  Type x = symbolic(ElemType::F32, {Dim::symbol("N"), 3, 8, 8});
  OpTester scales(OpKind::Resize);
  scales.typed(x).absent().constant(f32s({1, 1, 2, 0.5}));
  EXPECT_EQ(scales.inferred(), "tensor<Nx3x16x4xf32>");
  OpTester sizes(OpKind::Resize);
  sizes.typed(x).absent().absent().constant(i64s({20, 30})).attr(AttrName::axes,
                                                                 std::vector<int64_t>{2, 3});
  EXPECT_EQ(sizes.inferred(), "tensor<Nx3x20x30xf32>");
  OpTester unknown(OpKind::Resize);
  unknown.typed(x).absent().typed(symbolic(ElemType::F32, {4}));
  EXPECT_EQ(unknown.inferred(), "tensor<?x?x?x?xf32>");
}

TEST(NormPoolTest, ResizeErrors) {
  OpTester both(OpKind::Resize);
  both.input(iota({1, 2})).absent().input(f32s({1, 2})).input(i64s({1, 4}));
  EXPECT_ERROR(both, "scales and sizes are both given, expected exactly one");
  OpTester neither(OpKind::Resize);
  neither.input(iota({1, 2})).absent().input(Tensor(ElemType::F32, {0}));
  EXPECT_ERROR(neither, "neither scales nor sizes is given");
  EXPECT_ERROR(resizeScales(iota({1, 2}), {2}, "linear"), "scales has 1 values, expected 2");
  EXPECT_ERROR(resizeScales(iota({1, 2}), {1, -2}, "linear"), "scale -2 for axis 1 is not positive");
  EXPECT_ERROR(resizeScales(iota({1, 2}), {1, 2}, "bilinear"),
               "mode 'bilinear' is not one of nearest, linear, cubic");
  EXPECT_ERROR(resizeScales(iota({1, 2}), {1, 2}, "linear", "center"),
               "coordinate_transformation_mode 'center' is not one of");
  OpTester aaNearest = resizeScales(iota({1, 2}), {1, 0.5}, "nearest");
  aaNearest.attr(AttrName::antialias, int64_t(1));
  EXPECT_ERROR(aaNearest, "antialias is not supported with mode 'nearest'");
  EXPECT_ERROR(resizeSizes(iota({1, 2}), {1, 4}, "linear", "tf_crop_and_resize"),
               "'tf_crop_and_resize' needs the roi input");
  OpTester nanRoi(OpKind::Resize);
  nanRoi.input(iota({1, 2}))
      .input(f32s({0, 0, 1, NAN}))
      .absent()
      .input(i64s({1, 3}))
      .attr(AttrName::coordinate_transformation_mode, std::string("tf_crop_and_resize"));
  EXPECT_ERROR(nanRoi, "roi value 3 is not finite");
  OpTester badAxes = resizeScales(iota({1, 2}), {2}, "linear");
  badAxes.attr(AttrName::axes, std::vector<int64_t>{2});
  EXPECT_ERROR(badAxes, "axis 2 is out of range for rank 2");
  EXPECT_ERROR(resizeSizes(iota({1, 2}), {1, 0}, "nearest"), "size 0 for axis 1 is not positive");
  EXPECT_ERROR(resizeScales(iota({1, 2}), {1, 1e30}, "nearest"),
               "scale 1e+30 makes axis 1 larger than 2^48 elements");
  EXPECT_ERROR(resizeSizes(iota({1, 2}), {1, int64_t(1) << 50}, "nearest"),
               "for axis 1 is larger than 2^48");
}

} // namespace
