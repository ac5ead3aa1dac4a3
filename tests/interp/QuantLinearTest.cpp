// Tests of the quantization and linear-algebra ops: shape inference, the
// reference kernels and their errors. Expected values are hand-computed, the
// ONNX spec's examples, or numpy/scipy (scipy.signal.correlate/convolve for
// convolutions, not qc's loops), embedded here.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>

#include "tests/interp/OpTester.h"
#include "tests/interp/QuantLinearData.h"

namespace qc::interp {
namespace {

using ir::AttrName;
using ir::AttrValue;
using ir::Dim;
using ir::ElemType;
using ir::OpKind;
using ir::Shape;
using ir::Tensor;
using ir::Type;
using namespace testdata;

using Op = testing::OpTester;

Tensor floats(Ints dims, Doubles v, ElemType t = ElemType::F32) {
  return Tensor::fromDoubles(t, std::move(dims), v);
}
Tensor ints(ElemType t, Ints dims, Ints v) { return Tensor::fromInts(t, std::move(dims), v); }
Tensor scalarF(double v) { return Tensor::scalarFloat(ElemType::F32, v); }
Tensor scalarI(ElemType t, int64_t v) { return Tensor::scalarInt(t, v); }

/// Runs the op and returns result `i`; fails the test on error.
Tensor run1(Op &op, std::vector<const Tensor *> inputs, size_t i = 0) {
  auto r = op.run(std::move(inputs));
  if (!r) {
    ADD_FAILURE() << llvm::toString(r.takeError());
    return Tensor();
  }
  return std::move((*r)[i]);
}
/// The error text of running the op; empty when it unexpectedly succeeds.
std::string runError(Op &op, std::vector<const Tensor *> inputs) {
  auto r = op.run(std::move(inputs));
  return r ? std::string() : llvm::toString(r.takeError());
}
std::string inferError(Op &op, std::vector<Type> types) {
  auto r = op.infer({types.begin(), types.end()});
  return r ? std::string() : llvm::toString(r.takeError());
}
Type inferred(Op &op, std::vector<Type> types, size_t i = 0) {
  auto r = op.infer({types.begin(), types.end()});
  if (!r) {
    ADD_FAILURE() << llvm::toString(r.takeError());
    return Type();
  }
  return (*r)[i];
}

Doubles doublesOf(const Tensor &t) {
  Doubles v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getDouble(i));
  return v;
}
Ints intsOf(const Tensor &t) {
  Ints v;
  for (int64_t i = 0; i < t.numElements(); ++i)
    v.push_back(t.getInt(i));
  return v;
}

Type ty(ElemType e, std::vector<Dim> dims) { return Type(e, Shape(std::move(dims))); }

/// Expects an error naming the node ("'n'") and containing `part`.
void expectError(const std::string &message, const std::string &part) {
  EXPECT_NE(message.find("'n'"), std::string::npos) << message;
  EXPECT_NE(message.find(part), std::string::npos) << "expected '" << part << "' in: " << message;
}

// ---------------------------------------------------------------- Quantize

TEST(QuantizeLinear, PerTensorRoundsHalfToEvenAndSaturates) {
  // x / 2 = 2.5 -1.5 0.5 1.5 3.5 -3.5 0 500 -500 -> rne, + 128, clamp [0, 255].
  Tensor x = floats({9}, {5, -5, 1, 3, 7, -7, 0, 1000, -1000});
  Tensor s = scalarF(2), zp = scalarI(ElemType::U8, 128);
  Op q(OpKind::QuantizeLinear);
  Tensor y = run1(q, {&x, &s, &zp});
  EXPECT_EQ(y.elemType(), ElemType::U8);
  EXPECT_EQ(intsOf(y), (Ints{130, 126, 128, 130, 132, 124, 128, 255, 0}));
}

TEST(QuantizeLinear, TiesAtUnitScale) {
  Tensor x = floats({6}, {2.5, -2.5, 0.5, -0.5, 1.5, -1.5});
  Tensor s = scalarF(1), zp = scalarI(ElemType::I8, 0);
  Op q(OpKind::QuantizeLinear);
  EXPECT_EQ(intsOf(run1(q, {&x, &s, &zp})), (Ints{2, -2, 0, 0, 2, -2}));
}

TEST(QuantizeLinear, ZeroPointsAtTypeLimits) {
  Tensor s = scalarF(1);
  Op q(OpKind::QuantizeLinear);
  Tensor x1 = floats({5}, {-300, -1, 0, 1, 0.5});
  Tensor zpMax = scalarI(ElemType::I8, 127);
  EXPECT_EQ(intsOf(run1(q, {&x1, &s, &zpMax})), (Ints{-128, 126, 127, 127, 127}));
  // 254.5 -> 254 and 253.5 -> 254 (even), then - 128.
  Tensor x2 = floats({6}, {-1, 0, 1, 254.5, 253.5, 300});
  Tensor zpMin = scalarI(ElemType::I8, -128);
  EXPECT_EQ(intsOf(run1(q, {&x2, &s, &zpMin})), (Ints{-128, -128, -127, 126, 126, 127}));
  Tensor x3 = floats({3}, {1, -1.5, -70000});
  Tensor zpU16 = scalarI(ElemType::U16, 65535);
  Tensor y = run1(q, {&x3, &s, &zpU16});
  EXPECT_EQ(y.elemType(), ElemType::U16);
  EXPECT_EQ(intsOf(y), (Ints{65535, 65533, 0}));
}

TEST(QuantizeLinear, OutputTypeDefaultsToU8OrOutputDtype) {
  Tensor x = floats({4}, {-1, 0, 2.5, 300});
  Tensor s = scalarF(1);
  Op q(OpKind::QuantizeLinear);
  Tensor y = run1(q, {&x, &s});
  EXPECT_EQ(y.elemType(), ElemType::U8);
  EXPECT_EQ(intsOf(y), (Ints{0, 0, 2, 255}));

  Tensor x16 = floats({3}, {40000, -40000, 1.5});
  Op q16(OpKind::QuantizeLinear);
  q16.attr(AttrName::output_dtype, ElemType::I16);
  Tensor y16 = run1(q16, {&x16, &s});
  EXPECT_EQ(y16.elemType(), ElemType::I16);
  EXPECT_EQ(intsOf(y16), (Ints{32767, -32768, 2}));
}

TEST(QuantizeLinear, PerAxis) {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  // axis 1: x / [1, 2, 4] = [[1, 1, 0.75], [4, 2.5, 1.5]] -> rne + [0, 10, 20].
  Tensor s1 = floats({3}, {1, 2, 4});
  Tensor zp1 = ints(ElemType::U8, {3}, {0, 10, 20});
  Op q1(OpKind::QuantizeLinear);
  EXPECT_EQ(intsOf(run1(q1, {&x, &s1, &zp1})), (Ints{1, 11, 21, 4, 12, 22}));
  // axis -2 (= 0): rows scaled by 1 and 0.5, zero points 0 and 1.
  Tensor s0 = floats({2}, {1, 0.5});
  Tensor zp0 = ints(ElemType::U8, {2}, {0, 1});
  Op q0(OpKind::QuantizeLinear);
  q0.attr(AttrName::axis, int64_t(-2));
  EXPECT_EQ(intsOf(run1(q0, {&x, &s0, &zp0})), (Ints{1, 2, 3, 9, 11, 13}));
}

TEST(QuantizeLinear, Blocked) {
  // Blocks of 2 along axis 1: scales [[1, 2], [4, 8]], zero points [[0, 0], [1, -1]].
  Tensor x = floats({2, 4}, {1, 2, 3, 4, 5, 6, 7, 8});
  Tensor s = floats({2, 2}, {1, 2, 4, 8});
  Tensor zp = ints(ElemType::I8, {2, 2}, {0, 0, 1, -1});
  Op q(OpKind::QuantizeLinear);
  q.attr(AttrName::axis, int64_t(1)).attr(AttrName::block_size, int64_t(2));
  EXPECT_EQ(intsOf(run1(q, {&x, &s, &zp})), (Ints{1, 2, 2, 2, 2, 3, 0, 0}));
  // A last, partial block: 5 elements in blocks of 2 -> 3 scales.
  Tensor x5 = floats({1, 5}, {1, 2, 3, 4, 5});
  Tensor s5 = floats({1, 3}, {1, 2, 0.5});
  Op q5(OpKind::QuantizeLinear);
  q5.attr(AttrName::axis, int64_t(-1)).attr(AttrName::block_size, int64_t(2));
  EXPECT_EQ(intsOf(run1(q5, {&x5, &s5})), (Ints{1, 2, 2, 2, 10}));
}

TEST(QuantizeLinear, Int4) {
  Tensor s = scalarF(1);
  Tensor x = floats({5}, {-9, -8, 7, 8, 2.5});
  Tensor zpI4 = scalarI(ElemType::I4, 0);
  Op q(OpKind::QuantizeLinear);
  Tensor y = run1(q, {&x, &s, &zpI4});
  EXPECT_EQ(y.elemType(), ElemType::I4);
  EXPECT_EQ(intsOf(y), (Ints{-8, -8, 7, 7, 2}));
  Tensor xu = floats({4}, {-20, 0, 1, 20});
  Tensor zpU4 = scalarI(ElemType::U4, 3);
  EXPECT_EQ(intsOf(run1(q, {&xu, &s, &zpU4})), (Ints{0, 3, 4, 15}));
}

TEST(QuantizeLinear, HalfPrecisionDividesInHalf) {
  // numpy: f16(0.25) / f16(0.1) = f16(2.5) -> rint 2; the f32 quotient
  // 2.50061 would round to 3.
  Tensor x = floats({1}, {0.25}, ElemType::F16);
  Tensor s = Tensor::scalarFloat(ElemType::F16, 0.1);
  Op q(OpKind::QuantizeLinear);
  EXPECT_EQ(intsOf(run1(q, {&x, &s})), (Ints{2}));
  Tensor xb = floats({2}, {3, -1}, ElemType::BF16);
  Tensor sb = Tensor::scalarFloat(ElemType::BF16, 2);
  Tensor zp = scalarI(ElemType::I8, 0);
  EXPECT_EQ(intsOf(run1(q, {&xb, &sb, &zp})), (Ints{2, 0}));
}

TEST(QuantizeLinear, Errors) {
  Tensor x = floats({2, 3}, {1, 2, 3, 4, 5, 6});
  Tensor s = scalarF(1), s3 = floats({3}, {1, 1, 1}), s2 = floats({2}, {1, 1});
  Op q(OpKind::QuantizeLinear);
  Tensor zpF = scalarF(0), zpI32 = scalarI(ElemType::I32, 0);
  expectError(runError(q, {&x, &s, &zpF}), "output type f32 is not supported");
  expectError(runError(q, {&x, &s, &zpI32}), "output type i32 is not supported");
  Tensor x64 = floats({2}, {1, 2}, ElemType::F64), s64 = Tensor::scalarFloat(ElemType::F64, 1);
  expectError(runError(q, {&x64, &s64}), "input element type f64 is not supported");
  Tensor sHalf = Tensor::scalarFloat(ElemType::F16, 1);
  expectError(runError(q, {&x, &sHalf}), "scale has element type f16, expected f32");
  // Per-axis: the scale's length must match the axis extent.
  expectError(runError(q, {&x, &s2}), "scale has 2 elements but input dim 1 (axis) has extent 3");
  Op qAxis(OpKind::QuantizeLinear);
  qAxis.attr(AttrName::axis, int64_t(2));
  expectError(runError(qAxis, {&x, &s3}), "axis 2 is out of range for rank 2");
  Op qDtype(OpKind::QuantizeLinear);
  qDtype.attr(AttrName::output_dtype, ElemType::I8);
  Tensor zpU8 = scalarI(ElemType::U8, 0);
  expectError(runError(qDtype, {&x, &s, &zpU8}), "output_dtype i8 disagrees");
  Tensor zp2 = ints(ElemType::U8, {2}, {0, 0});
  expectError(runError(q, {&x, &s3, &zp2}), "zero point has shape [2] but its scale has shape [3]");
  // Blocked: scale must be [2, ceil(3 / 2)] = [2, 2].
  Op qBlock(OpKind::QuantizeLinear);
  qBlock.attr(AttrName::block_size, int64_t(2));
  Tensor sBad = floats({2, 3}, {1, 1, 1, 1, 1, 1});
  expectError(runError(qBlock, {&x, &sBad}), "dim 1 should be 2");
  expectError(runError(qBlock, {&x, &s3}), "needs a scale of the input's rank 2");
  Op qNeg(OpKind::QuantizeLinear);
  qNeg.attr(AttrName::block_size, int64_t(-1));
  expectError(runError(qNeg, {&x, &s3}), "block_size -1 is negative");
}

// -------------------------------------------------------------- Dequantize

TEST(DequantizeLinear, PerTensorAndPerAxis) {
  Tensor x = ints(ElemType::U8, {3}, {0, 128, 255});
  Tensor s = scalarF(0.5), zp = scalarI(ElemType::U8, 128);
  Op dq(OpKind::DequantizeLinear);
  Tensor y = run1(dq, {&x, &s, &zp});
  EXPECT_EQ(y.elemType(), ElemType::F32);
  EXPECT_EQ(doublesOf(y), (Doubles{-64, 0, 63.5}));
  // axis 0 of a 2x2 i8 tensor: scales [2, 0.25], zero points [0, 1].
  Tensor xi = ints(ElemType::I8, {2, 2}, {-128, 127, 1, -1});
  Tensor sa = floats({2}, {2, 0.25});
  Tensor zpa = ints(ElemType::I8, {2}, {0, 1});
  Op dqAxis(OpKind::DequantizeLinear);
  dqAxis.attr(AttrName::axis, int64_t(0));
  EXPECT_EQ(doublesOf(run1(dqAxis, {&xi, &sa, &zpa})), (Doubles{-256, 254, 0, -0.5}));
}

TEST(DequantizeLinear, BlockedInt4) {
  // Blocks of 2 along axis 1: scales [0.5, 3], zero points [0, -1].
  Tensor x = ints(ElemType::I4, {1, 4}, {-8, 7, 1, -1});
  Tensor s = floats({1, 2}, {0.5, 3});
  Tensor zp = ints(ElemType::I4, {1, 2}, {0, -1});
  Op dq(OpKind::DequantizeLinear);
  dq.attr(AttrName::block_size, int64_t(2));
  EXPECT_EQ(doublesOf(run1(dq, {&x, &s, &zp})), (Doubles{-4, 3.5, 6, 0}));
}

TEST(DequantizeLinear, Int32AndHalfScale) {
  Tensor x = ints(ElemType::I32, {2}, {1000000, -7});
  Tensor s = scalarF(0.5);
  Op dq(OpKind::DequantizeLinear);
  EXPECT_EQ(doublesOf(run1(dq, {&x, &s})), (Doubles{500000, -3.5}));
  // 3 * f16(0.1) = 0.29992675... in fp32, a tie in f16 -> 0.2998046875.
  Tensor xu = ints(ElemType::U8, {1}, {3});
  Tensor sh = Tensor::scalarFloat(ElemType::F16, 0.1);
  Tensor y = run1(dq, {&xu, &sh});
  EXPECT_EQ(y.elemType(), ElemType::F16);
  EXPECT_EQ(doublesOf(y), (Doubles{0.2998046875}));
}

TEST(DequantizeLinear, Errors) {
  Tensor x = ints(ElemType::U8, {3}, {1, 2, 3});
  Tensor s = scalarF(1);
  Op dq(OpKind::DequantizeLinear);
  Tensor zpI8 = scalarI(ElemType::I8, 0);
  expectError(runError(dq, {&x, &s, &zpI8}), "zero point has element type i8, expected u8");
  Tensor x32 = ints(ElemType::I32, {1}, {5}), zp32 = scalarI(ElemType::I32, 3);
  expectError(runError(dq, {&x32, &s, &zp32}), "int32 input needs a zero point of 0, got 3");
  Tensor xf = floats({1}, {1});
  expectError(runError(dq, {&xf, &s}), "input element type f32 is not supported");
  Tensor si = scalarI(ElemType::I32, 1);
  expectError(runError(dq, {&x, &si}), "scale element type i32 is not supported");
  Tensor x2 = ints(ElemType::U8, {2, 2}, {1, 2, 3, 4}), s2 = floats({2, 2}, {1, 1, 1, 1});
  expectError(runError(dq, {&x2, &s2}), "per-axis quantization needs a 1-D scale");
  Tensor xs = scalarI(ElemType::U8, 1), s3 = floats({3}, {1, 1, 1});
  expectError(runError(dq, {&xs, &s3}), "the input is a scalar");
}

// ------------------------------------------------------ DynamicQuantize

TEST(DynamicQuantizeLinear, SpecExamples) {
  Op dyn(OpKind::DynamicQuantizeLinear, 3);
  // ONNX spec example: range [-3, 2] -> scale 5/255, zp rne(3 / scale) = 153.
  Tensor x = floats({6}, {0, 2, -3, -2.5, 1.34, 0.5});
  auto r = dyn.run({&x});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(intsOf((*r)[0]), (Ints{153, 255, 0, 26, 221, 179}));
  EXPECT_EQ((*r)[1].elemType(), ElemType::F32);
  EXPECT_EQ((*r)[1].rank(), 0u);
  EXPECT_FLOAT_EQ(float((*r)[1].getDouble(0)), 5.0f / 255.0f);
  EXPECT_EQ(intsOf((*r)[2]), (Ints{153}));
  // All negative: rmax is clamped to 0, zp saturates to 255.
  Tensor xn = floats({6}, {-1.0, -2.1, -1.3, -2.5, -3.34, -4.0});
  auto rn = dyn.run({&xn});
  ASSERT_TRUE(bool(rn)) << llvm::toString(rn.takeError());
  EXPECT_EQ(intsOf((*rn)[0]), (Ints{191, 121, 172, 96, 42, 0}));
  EXPECT_EQ(intsOf((*rn)[2]), (Ints{255}));
}

TEST(DynamicQuantizeLinear, AllZerosAndErrors) {
  Op dyn(OpKind::DynamicQuantizeLinear, 3);
  Tensor x = floats({3}, {0, 0, 0});
  auto r = dyn.run({&x});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(intsOf((*r)[0]), (Ints{0, 0, 0}));
  EXPECT_EQ((*r)[1].getDouble(0), 0.0); // NUMERICS.md: scale 0, zp 0
  EXPECT_EQ(intsOf((*r)[2]), (Ints{0}));
  Tensor bad = floats({2}, {1, NAN});
  expectError(runError(dyn, {&bad}), "needs finite values");
  Tensor xi = ints(ElemType::U8, {1}, {1});
  expectError(runError(dyn, {&xi}), "input has element type u8, expected f32");
}

// -------------------------------------------------------------------- Conv

// The ONNX spec's Conv example: 5x5 input 0..24, 3x3 kernel of ones.
Tensor specConvInput() {
  Doubles v;
  for (int i = 0; i < 25; ++i)
    v.push_back(i);
  return floats({1, 1, 5, 5}, v);
}

TEST(Conv, SpecExamples) {
  Tensor x = specConvInput(), w = floats({1, 1, 3, 3}, Doubles(9, 1.0));
  Op padded(OpKind::Conv);
  padded.attr(AttrName::pads, Ints{1, 1, 1, 1});
  EXPECT_EQ(doublesOf(run1(padded, {&x, &w})),
            (Doubles{12,  21, 27, 33,  24,  33,  54,  63, 72,  51,  63,  99, 108,
                     117, 81, 93, 144, 153, 162, 111, 72, 111, 117, 123, 84}));
  Op valid(OpKind::Conv);
  EXPECT_EQ(doublesOf(run1(valid, {&x, &w})), (Doubles{54, 63, 72, 99, 108, 117, 144, 153, 162}));
  Op strided(OpKind::Conv);
  strided.attr(AttrName::pads, Ints{1, 1, 1, 1}).attr(AttrName::strides, Ints{2, 2});
  EXPECT_EQ(doublesOf(run1(strided, {&x, &w})), (Doubles{12, 27, 24, 63, 108, 81, 72, 117, 84}));
  Op same(OpKind::Conv);
  same.attr(AttrName::auto_pad, std::string("SAME_LOWER")).attr(AttrName::strides, Ints{2, 2});
  EXPECT_EQ(doublesOf(run1(same, {&x, &w})), (Doubles{12, 27, 24, 63, 108, 81, 72, 117, 84}));
}

TEST(Conv, AutoPadUpperVersusLower) {
  // Kernel [1, 10] over [1, 2, 3, 4]: one pad, at the end for SAME_UPPER.
  Tensor x = floats({1, 1, 4}, {1, 2, 3, 4}), w = floats({1, 1, 2}, {1, 10});
  Op upper(OpKind::Conv), lower(OpKind::Conv), validPad(OpKind::Conv);
  upper.attr(AttrName::auto_pad, std::string("SAME_UPPER"));
  lower.attr(AttrName::auto_pad, std::string("SAME_LOWER"));
  validPad.attr(AttrName::auto_pad, std::string("VALID")).attr(AttrName::pads, Ints{3, 3});
  EXPECT_EQ(doublesOf(run1(upper, {&x, &w})), (Doubles{21, 32, 43, 4}));
  EXPECT_EQ(doublesOf(run1(lower, {&x, &w})), (Doubles{10, 21, 32, 43}));
  EXPECT_EQ(doublesOf(run1(validPad, {&x, &w})), (Doubles{21, 32, 43}));
}

TEST(Conv, GroupedDilatedStridedPaddedWithBias) {
  // numpy/scipy: batch 2, C 4, group 2, M 6, dilations [2, 1], strides [1, 2],
  // pads [1, 0, 0, 1], bias.
  Tensor x = floats({2, 4, 5, 5}, kGroupedConvX);
  Tensor w = floats({6, 2, 2, 2}, kGroupedConvW);
  Tensor b = floats({6}, {-5, 2, -3, -3, -3, -3});
  Op conv(OpKind::Conv);
  conv.attr(AttrName::group, int64_t(2))
      .attr(AttrName::dilations, Ints{2, 1})
      .attr(AttrName::strides, Ints{1, 2})
      .attr(AttrName::pads, Ints{1, 0, 0, 1});
  Tensor y = run1(conv, {&x, &w, &b});
  EXPECT_EQ(y.dims(), (Ints{2, 6, 4, 3}));
  EXPECT_EQ(doublesOf(y), kGroupedConvY);
}

TEST(Conv, Depthwise1DAnd3D) {
  // numpy/scipy: depthwise (group 3), dilation 2, pads [2, 2].
  Tensor x1 = floats({1, 3, 6}, {3, -1, -3, -2, -1, -1, -1, 3, 3, 1, 3, -1, -3, -2, -3, 3, -2, 0});
  Tensor w1 = floats({3, 1, 3}, {-1, 2, -2, 0, 2, 0, 2, 2, 1});
  Op dw(OpKind::Conv);
  dw.attr(AttrName::group, int64_t(3))
      .attr(AttrName::dilations, Ints{2})
      .attr(AttrName::pads, Ints{2, 2});
  EXPECT_EQ(doublesOf(run1(dw, {&x1, &w1})),
            (Doubles{12, 2, -7, -1, 1, 0, -2, 6, 6, 2, 6, -2, -9, -1, -14, 2, -10, 6}));
  // numpy/scipy: 3-D, pads [1, 0, 0, 0, 1, 0], strides [1, 2, 1].
  Tensor x3 = floats({1, 2, 3, 3, 3}, kConv3dX);
  Tensor w3 = floats({2, 2, 2, 2, 2}, kConv3dW);
  Op c3(OpKind::Conv);
  c3.attr(AttrName::pads, Ints{1, 0, 0, 0, 1, 0}).attr(AttrName::strides, Ints{1, 2, 1});
  Tensor y3 = run1(c3, {&x3, &w3});
  EXPECT_EQ(y3.dims(), (Ints{1, 2, 3, 2, 2}));
  EXPECT_EQ(doublesOf(y3), kConv3dY);
}

TEST(Conv, ShapeInferenceKeepsSymbols) {
  Op conv(OpKind::Conv);
  conv.attr(AttrName::pads, Ints{1, 1, 1, 1}).attr(AttrName::strides, Ints{2, 2});
  Type y = inferred(conv, {ty(ElemType::F32, {Dim::symbol("N"), 3, 8, 8}),
                           ty(ElemType::F32, {4, 3, 3, 3}), ty(ElemType::F32, {4})});
  EXPECT_EQ(y, ty(ElemType::F32, {Dim::symbol("N"), 4, 4, 4}));
  Op same(OpKind::Conv);
  same.attr(AttrName::auto_pad, std::string("SAME_UPPER")).attr(AttrName::strides, Ints{2, 2});
  Type ys = inferred(
      same, {ty(ElemType::F16, {1, 3, Dim::symbol("H"), 7}), ty(ElemType::F16, {8, 3, 3, 3})});
  EXPECT_EQ(ys, ty(ElemType::F16, {1, 8, Dim::unknown(), 4}));
}

TEST(Conv, Errors) {
  Op conv(OpKind::Conv);
  expectError(inferError(conv, {ty(ElemType::F32, {1, 3, 5, 5}), ty(ElemType::F32, {2, 2, 3, 3})}),
              "input has 3 channels but the weight expects 2 (group 1 x weight dim 1 = 2)");
  Op grouped(OpKind::Conv);
  grouped.attr(AttrName::group, int64_t(2));
  expectError(
      inferError(grouped, {ty(ElemType::F32, {1, 4, 5, 5}), ty(ElemType::F32, {3, 2, 3, 3})}),
      "weight has 3 output channels, not a multiple of group 2");
  expectError(inferError(conv, {ty(ElemType::F32, {1, 3}), ty(ElemType::F32, {2, 3})}),
              "input has rank 2");
  expectError(inferError(conv, {ty(ElemType::F32, {1, 3, 5, 5}), ty(ElemType::F32, {2, 3, 3})}),
              "weight has rank 3 but the input has rank 4");
  expectError(inferError(conv, {ty(ElemType::F32, {1, 3, 2, 2}), ty(ElemType::F32, {2, 3, 3, 3})}),
              "smaller than the dilated kernel extent 3");
  expectError(inferError(conv, {ty(ElemType::I8, {1, 3, 5, 5}), ty(ElemType::I8, {2, 3, 3, 3})}),
              "input element type i8 is not supported");
  expectError(inferError(conv, {ty(ElemType::F32, {1, 3, 5, 5}), ty(ElemType::F32, {2, 3, 3, 3}),
                                ty(ElemType::F32, {3})}),
              "bias has 3 elements, expected 2 output channels");
  Op kernel(OpKind::Conv);
  kernel.attr(AttrName::kernel_shape, Ints{2, 2});
  expectError(
      inferError(kernel, {ty(ElemType::F32, {1, 3, 5, 5}), ty(ElemType::F32, {2, 3, 3, 3})}),
      "kernel_shape [2,2] does not match the weight's spatial dims [3,3]");
  Op badPad(OpKind::Conv);
  badPad.attr(AttrName::auto_pad, std::string("SAME"));
  expectError(
      inferError(badPad, {ty(ElemType::F32, {1, 3, 5, 5}), ty(ElemType::F32, {2, 3, 3, 3})}),
      "unknown auto_pad 'SAME'");
}

// ----------------------------------------------------------- ConvTranspose

TEST(ConvTranspose, SpecExample) {
  Tensor x = floats({1, 1, 3, 3}, {0, 1, 2, 3, 4, 5, 6, 7, 8});
  Tensor w = floats({1, 2, 3, 3}, Doubles(18, 1.0));
  Op ct(OpKind::ConvTranspose);
  Tensor y = run1(ct, {&x, &w});
  EXPECT_EQ(y.dims(), (Ints{1, 2, 5, 5}));
  Doubles plane = {0,  1,  3, 3,  2,  3,  8,  15, 12, 7,  9,  21, 36,
                   27, 15, 9, 20, 33, 24, 13, 6,  13, 21, 15, 8};
  Doubles both = plane;
  both.insert(both.end(), plane.begin(), plane.end());
  EXPECT_EQ(doublesOf(y), both);
}

TEST(ConvTranspose, GroupStridesDilationsOutputPaddingPads) {
  // numpy/scipy (upsample, full convolution, crop): group 2, strides [2, 3],
  // dilations [1, 2], pads [1, 0, 0, 1], output_padding [1, 0], bias.
  Tensor x = floats({1, 4, 3, 2}, kConvTransposeX);
  Tensor w = floats({4, 2, 2, 2}, kConvTransposeW);
  Tensor b = floats({4}, {-2, -4, -4, -2});
  Op ct(OpKind::ConvTranspose);
  ct.attr(AttrName::group, int64_t(2))
      .attr(AttrName::strides, Ints{2, 3})
      .attr(AttrName::dilations, Ints{1, 2})
      .attr(AttrName::pads, Ints{1, 0, 0, 1})
      .attr(AttrName::output_padding, Ints{1, 0});
  Tensor y = run1(ct, {&x, &w, &b});
  EXPECT_EQ(y.dims(), (Ints{1, 4, 6, 5}));
  EXPECT_EQ(doublesOf(y), kConvTransposeY);
}

TEST(ConvTranspose, OutputShapeAndAutoPad) {
  // x [1, 2, 3] with kernel [1, 1], stride 2: the full output is
  // [1, 1, 2, 2, 3, 3]; output_shape crops it or extends it with zeros.
  Tensor x = floats({1, 1, 3}, {1, 2, 3}), w = floats({1, 1, 2}, {1, 1});
  auto withShape = [&](int64_t size, const char *autoPad) {
    Op ct(OpKind::ConvTranspose);
    ct.attr(AttrName::strides, Ints{2}).attr(AttrName::output_shape, Ints{size});
    ct.attr(AttrName::auto_pad, std::string(autoPad));
    return doublesOf(run1(ct, {&x, &w}));
  };
  EXPECT_EQ(withShape(8, "NOTSET"), (Doubles{0, 1, 1, 2, 2, 3, 3, 0}));
  EXPECT_EQ(withShape(7, "NOTSET"), (Doubles{1, 1, 2, 2, 3, 3, 0}));
  EXPECT_EQ(withShape(7, "SAME_UPPER"), (Doubles{0, 1, 1, 2, 2, 3, 3}));
  EXPECT_EQ(withShape(5, "NOTSET"), (Doubles{1, 2, 2, 3, 3}));
  EXPECT_EQ(withShape(5, "SAME_UPPER"), (Doubles{1, 1, 2, 2, 3}));
  // Kernel [1, 1, 1], stride 2: full output [1, 1, 3, 2, 5, 3, 3]; SAME_*
  // keeps 3 * 2 = 6 of it, dropping the odd element at the end for UPPER.
  Tensor w3 = floats({1, 1, 3}, {1, 1, 1});
  Op upper(OpKind::ConvTranspose), lower(OpKind::ConvTranspose);
  upper.attr(AttrName::strides, Ints{2}).attr(AttrName::auto_pad, std::string("SAME_UPPER"));
  lower.attr(AttrName::strides, Ints{2}).attr(AttrName::auto_pad, std::string("SAME_LOWER"));
  EXPECT_EQ(doublesOf(run1(upper, {&x, &w3})), (Doubles{1, 1, 3, 2, 5, 3}));
  EXPECT_EQ(doublesOf(run1(lower, {&x, &w3})), (Doubles{1, 3, 2, 5, 3, 3}));
}

TEST(ConvTranspose, ShapeInferenceAndErrors) {
  Op ct(OpKind::ConvTranspose);
  ct.attr(AttrName::output_shape, Ints{10, 12}).attr(AttrName::strides, Ints{2, 2});
  Type y = inferred(ct, {ty(ElemType::F32, {Dim::symbol("N"), 2, Dim::symbol("H"), 5}),
                         ty(ElemType::F32, {2, 3, 3, 3})});
  EXPECT_EQ(y, ty(ElemType::F32, {Dim::symbol("N"), 3, 10, 12}));
  Op plain(OpKind::ConvTranspose);
  expectError(inferError(plain, {ty(ElemType::F32, {1, 2, 4, 4}), ty(ElemType::F32, {3, 3, 3, 3})}),
              "input has 2 channels but the weight has 3 (weight dim 0)");
  Op grouped(OpKind::ConvTranspose);
  grouped.attr(AttrName::group, int64_t(2));
  expectError(
      inferError(grouped, {ty(ElemType::F32, {1, 3, 4, 4}), ty(ElemType::F32, {3, 1, 3, 3})}),
      "input has 3 channels, not a multiple of group 2");
  Op outPad(OpKind::ConvTranspose);
  outPad.attr(AttrName::output_padding, Ints{2, 0});
  expectError(
      inferError(outPad, {ty(ElemType::F32, {1, 2, 4, 4}), ty(ElemType::F32, {2, 1, 3, 3})}),
      "output_padding 2 along spatial dim 0 must be non-negative and less than the stride 1");
}

// ------------------------------------------------------------ MatMul, Gemm

TEST(MatMul, BroadcastBatchesAndVectors) {
  // numpy: [2, 1, 2, 3] @ [3, 3, 4] -> [2, 3, 2, 4].
  Tensor a = floats({2, 1, 2, 3}, kMatMulA);
  Tensor b = floats({3, 3, 4}, kMatMulB);
  Op mm(OpKind::MatMul);
  Tensor y = run1(mm, {&a, &b});
  EXPECT_EQ(y.dims(), (Ints{2, 3, 2, 4}));
  EXPECT_EQ(doublesOf(y), kMatMulY);
  // numpy: [3] @ [2, 3, 4] -> [2, 4].
  Tensor a1 = floats({3}, {-2, -2, 0});
  Tensor b3 = floats({2, 3, 4}, {1, 3,  3, -1, -2, -2, 3, 0, 3, 1,  1,  -3,
                                 1, -1, 2, -3, -2, 1,  1, 2, 0, -1, -1, -1});
  Tensor yv = run1(mm, {&a1, &b3});
  EXPECT_EQ(yv.dims(), (Ints{2, 4}));
  EXPECT_EQ(doublesOf(yv), (Doubles{2, -2, -12, 2, 2, 0, -6, 2}));
  Tensor v1 = floats({3}, {1, 2, 3}), v2 = floats({3}, {4, 5, 6});
  Tensor dot = run1(mm, {&v1, &v2});
  EXPECT_EQ(dot.rank(), 0u);
  EXPECT_EQ(doublesOf(dot), (Doubles{32}));
}

TEST(MatMul, IntegersWrap) {
  Tensor a = ints(ElemType::I32, {1, 2}, {1 << 30, 1 << 30});
  Tensor b = ints(ElemType::I32, {2, 2}, {2, 1, 2, -1});
  Op mm(OpKind::MatMul);
  // 2^31 + 2^31 wraps to 0; 2^30 - 2^30 = 0; column order [2^32, 0].
  EXPECT_EQ(intsOf(run1(mm, {&a, &b})), (Ints{0, 0}));
  Tensor c = ints(ElemType::I64, {2, 1}, {3, -4});
  Tensor d = ints(ElemType::I64, {1, 2}, {5, 6});
  EXPECT_EQ(intsOf(run1(mm, {&c, &d})), (Ints{15, 18, -20, -24}));
}

TEST(MatMul, ShapeInferenceAndErrors) {
  Op mm(OpKind::MatMul);
  EXPECT_EQ(inferred(mm, {ty(ElemType::F32, {Dim::symbol("N"), 4, 8}), ty(ElemType::F32, {8, 16})}),
            ty(ElemType::F32, {Dim::symbol("N"), 4, 16}));
  expectError(inferError(mm, {ty(ElemType::F32, {2, 3}), ty(ElemType::F32, {4, 5})}),
              "inner dimensions differ: 2x3 has 3 columns, 4x5 has 4 rows");
  expectError(inferError(mm, {ty(ElemType::F32, {2, 2, 3}), ty(ElemType::F32, {3, 3, 4})}),
              "cannot broadcast");
  expectError(inferError(mm, {ty(ElemType::F32, {2, 3}), ty(ElemType::F16, {3, 4})}),
              "operand element types differ: f32 and f16");
  expectError(inferError(mm, {ty(ElemType::F32, {}), ty(ElemType::F32, {3})}), "rank >= 1");
}

TEST(Gemm, TransposesAlphaBetaAndBroadcastC) {
  // numpy: 0.5 * A.T @ B.T + 2 * C with A [3, 2], B [4, 3], C [4].
  Tensor a = floats({3, 2}, {1, 0, -1, -2, 1, -2});
  Tensor b = floats({4, 3}, {-2, -1, 2, 0, 1, -3, -1, 2, 2, 1, 3, -1});
  Tensor c = floats({4}, {-2, -3, -2, 2});
  Op gemm(OpKind::Gemm);
  gemm.attr(AttrName::transA, int64_t(1)).attr(AttrName::transB, int64_t(1));
  gemm.attr(AttrName::alpha, 0.5f).attr(AttrName::beta, 2.0f);
  Tensor y = run1(gemm, {&a, &b, &c});
  EXPECT_EQ(y.dims(), (Ints{2, 4}));
  EXPECT_EQ(doublesOf(y), (Doubles{-3.5, -8, -4.5, 2.5, -5, -4, -8, 2}));
  // C of shape [M, 1] broadcasts along columns; no C at all.
  Tensor a2 = floats({2, 2}, {1, 2, 3, 4}), id = floats({2, 2}, {1, 0, 0, 1});
  Tensor col = floats({2, 1}, {10, 20});
  Op plain(OpKind::Gemm);
  EXPECT_EQ(doublesOf(run1(plain, {&a2, &id, &col})), (Doubles{11, 12, 23, 24}));
  EXPECT_EQ(doublesOf(run1(plain, {&a2, &a2})), (Doubles{7, 10, 15, 22}));
  Tensor ai = ints(ElemType::I32, {1, 2}, {3, 4}), bi = ints(ElemType::I32, {2, 1}, {5, 6});
  Tensor ci = scalarI(ElemType::I32, -1);
  EXPECT_EQ(intsOf(run1(plain, {&ai, &bi, &ci})), (Ints{38}));
}

TEST(Gemm, ShapeInferenceAndErrors) {
  Op gemm(OpKind::Gemm);
  gemm.attr(AttrName::transA, int64_t(1));
  EXPECT_EQ(inferred(gemm, {ty(ElemType::F32, {8, Dim::symbol("M")}), ty(ElemType::F32, {8, 16})}),
            ty(ElemType::F32, {Dim::symbol("M"), 16}));
  Op plain(OpKind::Gemm);
  expectError(inferError(plain, {ty(ElemType::F32, {2, 3}), ty(ElemType::F32, {4, 5})}),
              "inner dimensions differ");
  expectError(inferError(plain, {ty(ElemType::F32, {1, 2, 3}), ty(ElemType::F32, {3, 5})}),
              "both must be 2-D");
  expectError(inferError(plain, {ty(ElemType::F32, {2, 3}), ty(ElemType::F32, {3, 5}),
                                 ty(ElemType::F32, {3})}),
              "C of shape 3 does not broadcast to 2x5");
}

// ------------------------------------------------- Integer and QLinear ops

TEST(ConvInteger, SpecExamples) {
  Tensor x = ints(ElemType::U8, {1, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10});
  Tensor w = ints(ElemType::U8, {1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor xzp = scalarI(ElemType::U8, 1);
  Op conv(OpKind::ConvInteger);
  Tensor y = run1(conv, {&x, &w, &xzp});
  EXPECT_EQ(y.elemType(), ElemType::I32);
  EXPECT_EQ(intsOf(y), (Ints{12, 16, 24, 28}));
  // Padding reads the zero point (x - x_zp = 0 there).
  Op padded(OpKind::ConvInteger);
  padded.attr(AttrName::pads, Ints{1, 1, 1, 1});
  EXPECT_EQ(intsOf(run1(padded, {&x, &w, &xzp})),
            (Ints{1, 3, 5, 3, 5, 12, 16, 9, 11, 24, 28, 15, 7, 15, 17, 9}));
  // Per-output-channel weight zero points: w - [1, 0].
  Tensor w2 = ints(ElemType::I8, {2, 1, 1, 1}, {3, -2});
  Tensor wzp = ints(ElemType::I8, {2}, {1, 0});
  Tensor x2 = ints(ElemType::I8, {1, 1, 1, 2}, {-128, 127});
  EXPECT_EQ(intsOf(run1(conv, {&x2, &w2, nullptr, &wzp})), (Ints{-256, 254, 256, -254}));
}

TEST(MatMulInteger, SpecExampleAndPerRowColumnZeroPoints) {
  Tensor a = ints(ElemType::U8, {4, 3}, {11, 7, 3, 10, 6, 2, 9, 5, 1, 8, 4, 0});
  Tensor b = ints(ElemType::U8, {3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor azp = scalarI(ElemType::U8, 12), bzp = scalarI(ElemType::U8, 0);
  Op mm(OpKind::MatMulInteger);
  Tensor y = run1(mm, {&a, &b, &azp, &bzp});
  EXPECT_EQ(y.elemType(), ElemType::I32);
  EXPECT_EQ(intsOf(y), (Ints{-38, -83, -44, -98, -50, -113, -56, -128}));
  // numpy: per-row A zero points [3, 250], per-column B zero points.
  Tensor a2 = ints(ElemType::U8, {2, 3}, {231, 33, 128, 34, 216, 33});
  Tensor b2 = ints(ElemType::I8, {3, 4}, {35, -108, 60, 104, 59, -60, 87, -50, 64, 85, -4, 30});
  Tensor azpRow = ints(ElemType::U8, {2}, {3, 250});
  Tensor bzpCol = ints(ElemType::I8, {4}, {-128, 0, 5, 127});
  EXPECT_EQ(intsOf(run1(mm, {&a2, &b2, &azpRow, &bzpCol})),
            (Ints{66774, -15799, 13875, -22679, -83230, 6923, -12715, 32035}));
  // A [M, K] zero point shaped like a per-column one is rejected.
  Tensor azpBad = ints(ElemType::U8, {1, 3}, {1, 2, 3});
  expectError(runError(mm, {&a2, &b2, &azpBad}), "per-row parameters must have extent 1 along K");
}

TEST(QLinearMatMul, SpecExample) {
  Tensor a = ints(ElemType::U8, {2, 4}, {208, 236, 0, 238, 3, 214, 255, 29});
  Tensor as = scalarF(0.0066), azp = scalarI(ElemType::U8, 113);
  Tensor b = ints(ElemType::U8, {4, 3}, {152, 51, 244, 60, 26, 255, 0, 127, 246, 127, 254, 247});
  Tensor bs = scalarF(0.00705), bzp = scalarI(ElemType::U8, 114);
  Tensor ys = scalarF(0.0107), yzp = scalarI(ElemType::U8, 118);
  Op mm(OpKind::QLinearMatMul);
  EXPECT_EQ(intsOf(run1(mm, {&a, &as, &azp, &b, &bs, &bzp, &ys, &yzp})),
            (Ints{168, 115, 255, 1, 66, 151}));
}

TEST(QLinearMatMul, PerColumnScalesTiesAndErrors) {
  // numpy: accumulators [13815, 5391, 1261, -13996] times
  // 0.02 * [0.01, 0.03] / 0.05 (double), rne, - 3, clamp to i8.
  Tensor a = ints(ElemType::U8, {2, 3}, {218, 47, 5, 111, 46, 226});
  Tensor as = scalarF(0.02), azp = scalarI(ElemType::U8, 128);
  Tensor b = ints(ElemType::I8, {3, 2}, {93, -32, -49, 53, -12, -104});
  Tensor bs = floats({2}, {0.01, 0.03});
  Tensor bzp = ints(ElemType::I8, {2}, {0, -2});
  Tensor ys = scalarF(0.05), yzp = scalarI(ElemType::I8, -3);
  Op mm(OpKind::QLinearMatMul);
  Tensor y = run1(mm, {&a, &as, &azp, &b, &bs, &bzp, &ys, &yzp});
  EXPECT_EQ(y.elemType(), ElemType::I8);
  EXPECT_EQ(intsOf(y), (Ints{52, 62, 2, -128}));
  // Accumulators 5, 7, -5 times 0.5: exact ties 2.5, 3.5, -2.5 -> 2, 4, -2.
  Tensor ta = ints(ElemType::I8, {3, 1}, {5, 7, -5});
  Tensor half = scalarF(0.5), one = scalarF(1), zero = scalarI(ElemType::I8, 0);
  Tensor tb = ints(ElemType::I8, {1, 1}, {1});
  EXPECT_EQ(intsOf(run1(mm, {&ta, &half, &zero, &tb, &one, &zero, &one, &zero})), (Ints{2, 4, -2}));
  Tensor zeroScale = scalarF(0);
  expectError(runError(mm, {&ta, &half, &zero, &tb, &one, &zero, &zeroScale, &zero}),
              "requantization multiplier is not finite");
  Tensor ys2 = floats({2}, {1, 1}), yzp2 = ints(ElemType::I8, {2}, {0, 0});
  expectError(runError(mm, {&a, &as, &azp, &b, &bs, &bzp, &ys2, &yzp2}),
              "y scale has shape [2]; expected a scalar (per-tensor)");
}

TEST(QLinearConv, PerChannelWithBias) {
  // numpy: x u8 (zp 10, scale 0.05), w i8 per-channel scales, pads 1,
  // int32 bias, double multiplier 0.05 * w_scale / 0.2, y u8 zp 100.
  Tensor x = ints(ElemType::U8, {1, 2, 4, 4}, kQLinearConvX);
  Tensor xs = scalarF(0.05), xzp = scalarI(ElemType::U8, 10);
  Tensor w = ints(ElemType::I8, {3, 2, 3, 3}, kQLinearConvW);
  Tensor ws = floats({3}, {0.002, 0.004, 0.001});
  Tensor wzp = ints(ElemType::I8, {3}, {0, 0, 0});
  Tensor ys = scalarF(0.2), yzp = scalarI(ElemType::U8, 100);
  Tensor bias = ints(ElemType::I32, {3}, {100, -2000, 5000});
  Op conv(OpKind::QLinearConv);
  conv.attr(AttrName::pads, Ints{1, 1, 1, 1});
  Tensor y = run1(conv, {&x, &xs, &xzp, &w, &ws, &wzp, &ys, &yzp, &bias});
  EXPECT_EQ(y.elemType(), ElemType::U8);
  EXPECT_EQ(intsOf(y), kQLinearConvY);
}

TEST(QLinearConv, TypesAndErrors) {
  auto f = [](std::vector<Dim> d) { return ty(ElemType::F32, std::move(d)); };
  auto t8 = [](ElemType e, std::vector<Dim> d) { return ty(e, std::move(d)); };
  Op conv(OpKind::QLinearConv);
  std::vector<Type> ok = {t8(ElemType::U8, {Dim::symbol("N"), 2, 4, 4}),
                          f({}),
                          t8(ElemType::U8, {}),
                          t8(ElemType::I8, {3, 2, 3, 3}),
                          f({3}),
                          t8(ElemType::I8, {3}),
                          f({}),
                          t8(ElemType::I8, {})};
  EXPECT_EQ(inferred(conv, ok), ty(ElemType::I8, {Dim::symbol("N"), 3, 2, 2}));
  auto bad = ok;
  bad[4] = f({2});
  expectError(inferError(conv, bad), "w scale has shape [2]; expected a scalar or 3 elements");
  bad = ok;
  bad[1] = f({2});
  expectError(inferError(conv, bad), "x scale has shape [2]; expected a scalar (per-tensor)");
  bad = ok;
  bad[7] = t8(ElemType::I16, {});
  expectError(inferError(conv, bad), "y zero point has element type i16, expected u8 or i8");
  bad = ok;
  bad[2] = t8(ElemType::I8, {});
  expectError(inferError(conv, bad), "x zero point has element type i8, expected u8");
  bad = ok;
  bad[0] = t8(ElemType::U8, {1, 3, 4, 4});
  expectError(inferError(conv, bad), "input has 3 channels but the weight expects 2");
  bad = ok;
  bad.push_back(t8(ElemType::I32, {4}));
  expectError(inferError(conv, bad), "bias has shape [4], expected [3]");
}

// ---------------------------------------------------------- Whole graphs

TEST(QuantLinearGraph, DequantConvQuantizeWithSymbolicBatch) {
  // DQ(x: u8, scale 0.5, zp 2) -> Conv(2x2 ones) -> Q(scale 4, zp 1): batch 0
  // sums to 4, 6, 10, 12 -> 1, 1.5, 2.5, 3 -> 2, 3, 3, 4 (ties to even);
  // batch 1 sums to -4, -4, -4, 123.5 -> -1, -1, -1, 30.875 -> 0, 0, 0, 32.
  ir::Graph g;
  ir::Value *x = g.addInput("x", ty(ElemType::U8, {Dim::symbol("N"), 1, 3, 3}));
  ir::Value *xs = g.addConstant("xs", scalarF(0.5));
  ir::Value *xzp = g.addConstant("xzp", scalarI(ElemType::U8, 2));
  ir::Value *w = g.addConstant("w", floats({1, 1, 2, 2}, {1, 1, 1, 1}));
  ir::Value *ys = g.addConstant("ys", scalarF(4));
  ir::Value *yzp = g.addConstant("yzp", scalarI(ElemType::U8, 1));
  Type unknown(ElemType::F32, Shape::unranked()); // filled in by inference
  ir::Node *dq = g.createNode(OpKind::DequantizeLinear, {x, xs, xzp}, {{"xf", unknown}});
  ir::Node *conv = g.createNode(OpKind::Conv, {dq->result(), w}, {{"c", unknown}});
  ir::Node *q = g.createNode(OpKind::QuantizeLinear, {conv->result(), ys, yzp}, {{"y", unknown}});
  g.addOutput(q->result());
  if (llvm::Error e = ir::inferGraphTypes(g))
    FAIL() << llvm::toString(std::move(e));
  EXPECT_EQ(q->result()->type(), ty(ElemType::U8, {Dim::symbol("N"), 1, 2, 2}));

  Tensor input =
      ints(ElemType::U8, {2, 1, 3, 3}, {2, 3, 4, 5, 6, 7, 8, 9, 10, 0, 0, 0, 0, 0, 0, 0, 0, 255});
  auto out = run(g, {input});
  ASSERT_TRUE(bool(out)) << llvm::toString(out.takeError());
  EXPECT_EQ((*out)[0].dims(), (Ints{2, 1, 2, 2}));
  EXPECT_EQ(intsOf((*out)[0]), (Ints{2, 3, 3, 4, 0, 0, 0, 32}));
}

TEST(QuantLinearGraph, QuantizeTypesFollowSymbols) {
  Op q(OpKind::QuantizeLinear);
  EXPECT_EQ(inferred(q, {ty(ElemType::F32, {Dim::symbol("N"), 3}), ty(ElemType::F32, {3}),
                         ty(ElemType::I8, {3})}),
            ty(ElemType::I8, {Dim::symbol("N"), 3}));
  Op dyn(OpKind::DynamicQuantizeLinear, 3);
  auto types = dyn.infer({ty(ElemType::F32, {Dim::symbol("B"), 16})});
  ASSERT_TRUE(bool(types)) << llvm::toString(types.takeError());
  EXPECT_EQ((*types)[0], ty(ElemType::U8, {Dim::symbol("B"), 16}));
  EXPECT_EQ((*types)[1], ty(ElemType::F32, {}));
  EXPECT_EQ((*types)[2], ty(ElemType::U8, {}));
  Op mmi(OpKind::MatMulInteger);
  EXPECT_EQ(inferred(mmi, {ty(ElemType::U8, {Dim::symbol("N"), 4, 8}), ty(ElemType::I8, {8, 2})}),
            ty(ElemType::I32, {Dim::symbol("N"), 4, 2}));
}

} // namespace
} // namespace qc::interp
