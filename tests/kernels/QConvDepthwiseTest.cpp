// Depthwise qc.QConv kernels (Qs8Dwconv.cpp) of every ISA against the
// reference interpreter, NHWC, bit-exact, over awkward sizes.
#include "Q8KernelTester.h"

namespace qc::test {
namespace {

using ir::AttrName;
using ir::ElemType;

/// Builder-style parameters of one depthwise conv case.
struct DwconvCase {
  int64_t channels = 16, multiplier = 1, height = 7, width = 9;
  int64_t kernelH = 3, kernelW = 3, strideH = 1, strideW = 1, dilationH = 1, dilationW = 1;
  int64_t padTop = 1, padLeft = 1, padBottom = 1, padRight = 1;
  ElemType inType = ElemType::U8, weightType = ElemType::I8, outType = ElemType::U8;
  bool perChannel = true, bias = true;
  int64_t xZeroPoint = 3, yZeroPoint = 120;
  double yScale = 0.3;
  std::optional<int64_t> actMin, actMax;
  std::optional<std::pair<int64_t, int64_t>> xRange, wRange; // default: the type's range
  uint32_t seed = 1;

  DwconvCase &c(int64_t v) { channels = v; return *this; }
  DwconvCase &mult(int64_t v) { multiplier = v; return *this; }
  DwconvCase &hw(int64_t h, int64_t w) { height = h; width = w; return *this; }
  DwconvCase &kernel(int64_t h, int64_t w) { kernelH = h; kernelW = w; return *this; }
  DwconvCase &stride(int64_t h, int64_t w) { strideH = h; strideW = w; return *this; }
  DwconvCase &dilation(int64_t h, int64_t w) { dilationH = h; dilationW = w; return *this; }
  DwconvCase &pads(int64_t t, int64_t l, int64_t b, int64_t r) {
    padTop = t; padLeft = l; padBottom = b; padRight = r; return *this;
  }
  DwconvCase &types(ElemType in, ElemType w, ElemType out) {
    inType = in; weightType = w; outType = out; return *this;
  }
  DwconvCase &seed_(uint32_t v) { seed = v; return *this; }
  DwconvCase &zeroPoints(int64_t x, int64_t y) { xZeroPoint = x; yZeroPoint = y; return *this; }
  DwconvCase &clamp(int64_t lo, int64_t hi) { actMin = lo; actMax = hi; return *this; }
  DwconvCase &inputs(int64_t lo, int64_t hi) { xRange = {lo, hi}; return *this; }
  DwconvCase &weights(int64_t lo, int64_t hi) { wRange = {lo, hi}; return *this; }

  void check() const {
    std::mt19937 rng(seed);
    int64_t m = channels * multiplier;
    int64_t oh = (height + padTop + padBottom - dilationH * (kernelH - 1) - 1) / strideH + 1;
    int64_t ow = (width + padLeft + padRight - dilationW * (kernelW - 1) - 1) / strideW + 1;
    NodeSpec spec{ir::OpKind::QConv, {}, {}, kNhwc, {}};
    auto [xLo, xHi] = xRange.value_or(std::pair{ir::elemTypeMin(inType), ir::elemTypeMax(inType)});
    auto [wLo, wHi] =
        wRange.value_or(std::pair{ir::elemTypeMin(weightType), ir::elemTypeMax(weightType)});
    OperandSpec x{randomTensor(rng, inType, {1, channels, height, width}, xLo, xHi),
                  perTensor(0.05, xZeroPoint), false, kNhwc};
    ir::QuantParams wq;
    std::uniform_real_distribution<double> scaleDist(0.001, 0.02);
    std::uniform_int_distribution<int64_t> zpDist(-3, 3);
    int64_t wZeroBase = weightType == ElemType::U8 ? 128 : 0;
    for (int64_t i = 0; i < (perChannel ? m : 1); ++i) {
      wq.scales.push_back(double(float(scaleDist(rng))));
      wq.zeroPoints.push_back(weightType == ElemType::U8 ? wZeroBase + zpDist(rng) : 0);
    }
    if (perChannel)
      wq.axis = 0;
    OperandSpec w{randomTensor(rng, weightType, {m, 1, kernelH, kernelW}, wLo, wHi),
                  wq, true, {}};
    OperandSpec b{randomTensor(rng, ElemType::I32, {m}, -20000, 20000), std::nullopt, true, {}};
    b.absent = !bias;
    spec.operands = {x, w, b};
    if (outType == ElemType::F32)
      spec.result = ir::Type(ElemType::F32, ir::Shape::fromStatic({1, m, oh, ow}));
    else
      spec.result = quantType(outType, {1, m, oh, ow}, perTensor(yScale, yZeroPoint));
    spec.attrs = {{AttrName::kernel_shape, std::vector<int64_t>{kernelH, kernelW}},
                  {AttrName::strides, std::vector<int64_t>{strideH, strideW}},
                  {AttrName::dilations, std::vector<int64_t>{dilationH, dilationW}},
                  {AttrName::pads, std::vector<int64_t>{padTop, padLeft, padBottom, padRight}},
                  {AttrName::group, channels}};
    if (actMin)
      spec.attrs.push_back({AttrName::act_min, *actMin});
    if (actMax)
      spec.attrs.push_back({AttrName::act_max, *actMax});
    checkAgainstInterpreter(spec);
  }
};

TEST(QConvDepthwise, Basic3x3) { DwconvCase().check(); }
TEST(QConvDepthwise, ChannelsNotMultipleOfVector) {
  for (int64_t c : {2, 3, 15, 17, 33, 63, 65, 100}) // C = 1 is a dense conv
    DwconvCase().c(c).check();
}
TEST(QConvDepthwise, MobileNetLikeChannels) {
  DwconvCase().c(144).hw(9, 9).check();
  DwconvCase().c(192).hw(6, 5).stride(2, 2).check();
}
TEST(QConvDepthwise, Stride2OddSizes) {
  DwconvCase().c(24).hw(11, 13).stride(2, 2).pads(0, 0, 1, 1).check();
  DwconvCase().c(7).hw(5, 7).stride(2, 1).check();
}
TEST(QConvDepthwise, OneByOneSpatial) {
  DwconvCase().c(40).hw(1, 1).check();
  DwconvCase().c(40).hw(1, 1).kernel(1, 1).pads(0, 0, 0, 0).check();
}
TEST(QConvDepthwise, KxKAndDilation) {
  DwconvCase().c(20).hw(12, 10).kernel(5, 5).pads(2, 2, 2, 2).check();
  DwconvCase().c(18).hw(12, 10).kernel(3, 3).dilation(2, 3).pads(2, 3, 2, 3).check();
  DwconvCase().c(9).hw(9, 8).kernel(7, 2).pads(3, 0, 2, 1).stride(1, 2).check();
}
TEST(QConvDepthwise, SignedInputAndOutput) {
  DwconvCase().types(ElemType::I8, ElemType::I8, ElemType::I8).zeroPoints(-128, 127).check();
  DwconvCase().types(ElemType::I8, ElemType::U8, ElemType::U8).zeroPoints(127, 0).c(35).check();
}
TEST(QConvDepthwise, FloatOutput) {
  DwconvCase().types(ElemType::U8, ElemType::I8, ElemType::F32).c(37).check();
}
TEST(QConvDepthwise, Relu6Clamp) { DwconvCase().c(48).zeroPoints(255, 10).clamp(10, 70).check(); }
TEST(QConvDepthwise, ZeroPointsAtLimits) {
  DwconvCase().c(21).zeroPoints(255, 255).check();
  DwconvCase().c(21).zeroPoints(0, 0).check();
}
TEST(QConvDepthwise, PerTensorWeightNoBias) {
  DwconvCase c;
  c.perChannel = false;
  c.bias = false;
  c.c(31).check();
}
TEST(QConvDepthwise, ChannelMultiplier) {
  DwconvCase().c(5).mult(3).check();
  DwconvCase().c(16).mult(2).stride(2, 2).check();
}
// qs8_dwconv_vec (vector ISAs, centred weights in s8): channel blocks of 32
// or 64 (partial below 64 on AVX-512, overlapping the previous block when C
// is not a multiple), interior pixel steps and their tails, borders.
TEST(QConvDepthwise, VecChannelBlocks) {
  for (int64_t c : {16, 31, 32, 48, 64, 80, 96, 130, 144, 200})
    DwconvCase().c(c).hw(5, 11).seed_(uint32_t(c)).check();
}
TEST(QConvDepthwise, VecStrideDilationPads) {
  DwconvCase().c(96).hw(13, 15).stride(2, 2).check();
  DwconvCase().c(96).hw(14, 14).stride(2, 2).pads(0, 0, 1, 1).check();
  DwconvCase().c(72).hw(9, 12).dilation(2, 2).pads(2, 2, 2, 2).check();
  DwconvCase().c(64).hw(8, 10).pads(0, 2, 3, 0).check();
  DwconvCase().c(40).hw(6, 19).stride(1, 3).pads(2, 1, 0, 2).check();
}
// C = 16 / 32 at stride 1 on AVX-512: 4 / 2 pixels per block, border
// blocks partly inside the row, a partial last block.
TEST(QConvDepthwise, VecPixelsPerBlock) {
  for (int64_t c : {16, 32})
    for (int64_t w : {1, 2, 3, 4, 5, 7, 9, 12, 21}) {
      SCOPED_TRACE("c " + std::to_string(c) + " w " + std::to_string(w));
      DwconvCase().c(c).hw(4, w).seed_(uint32_t(c + w)).check();
      DwconvCase().c(c).hw(3, w).pads(0, 2, 1, 0).check();
      DwconvCase().c(c).hw(5, w).pads(1, 0, 0, 2).types(ElemType::I8, ElemType::I8,
                                                        ElemType::I8).zeroPoints(-7, 3).check();
    }
  DwconvCase().c(32).hw(6, 16).kernel(5, 3).pads(2, 1, 2, 1).check();
  DwconvCase().c(32).hw(6, 16).clamp(120, 140).check();
}
// Multipliers so large that acc * M overflows int32: the float-clamped
// epilogue (narrow_clamp = 0), and the narrowing one just below its bound.
TEST(QConvDepthwise, VecHugeMultipliers) {
  for (double yScale : {1e-7, 1e-6, 1e-4}) {
    DwconvCase c;
    c.yScale = yScale;
    c.c(48).hw(5, 9).check();
    c.types(ElemType::I8, ElemType::I8, ElemType::I8).zeroPoints(-3, -100).c(80).check();
  }
}
TEST(QConvDepthwise, VecTallKernels) {
  DwconvCase().c(40).hw(10, 9).kernel(5, 3).pads(2, 1, 2, 1).check();
  DwconvCase().c(70).hw(12, 7).kernel(9, 2).pads(4, 0, 4, 1).check();
  DwconvCase().c(33).hw(14, 5).kernel(13, 1).pads(6, 0, 6, 0).check(); // 4 row groups
  DwconvCase().c(64).hw(3, 3).kernel(7, 7).pads(3, 3, 3, 3).check();   // all border
}
TEST(QConvDepthwise, VecU8WeightsCentredInS8) {
  // u8 weights with zw = 128 +- 3, values within zw + [-128, 127].
  DwconvCase().c(50).types(ElemType::U8, ElemType::U8, ElemType::U8).weights(3, 252).check();
  DwconvCase().c(50).types(ElemType::I8, ElemType::U8, ElemType::I8).weights(3, 252)
      .zeroPoints(-5, 7).check();
}
TEST(QConvDepthwise, VecExtremeAccumulators) {
  // |sum| = 49 * 255 * 128 with every tap at its limit, plus the bias.
  DwconvCase().c(64).hw(9, 9).kernel(7, 7).pads(3, 3, 3, 3).inputs(255, 255).weights(-128, -128)
      .zeroPoints(0, 0).check();
  DwconvCase().c(64).hw(9, 9).kernel(7, 7).pads(3, 3, 3, 3).types(ElemType::I8, ElemType::I8,
      ElemType::I8).inputs(-128, -128).weights(-128, -128).zeroPoints(127, 0).check();
  DwconvCase().c(80).hw(7, 8).types(ElemType::I8, ElemType::I8, ElemType::I8).zeroPoints(-128, -128)
      .check();
}

TEST(QConvDepthwise, RandomShapes) {
  std::mt19937 rng(7);
  auto pick = [&](int64_t lo, int64_t hi) {
    return std::uniform_int_distribution<int64_t>(lo, hi)(rng);
  };
  for (int i = 0; i < 20; ++i) {
    DwconvCase c;
    c.seed = uint32_t(100 + i);
    int64_t k = pick(1, 5);
    c.c(pick(2, 150)).hw(pick(1, 12), pick(1, 12)).kernel(k, pick(1, 5)).stride(pick(1, 3), pick(1, 2));
    c.pads(pick(0, 2), pick(0, 2), pick(0, 2), pick(0, 2));
    if (c.height + c.padTop + c.padBottom < c.kernelH || c.width + c.padLeft + c.padRight < c.kernelW)
      continue;
    c.zeroPoints(pick(0, 255), pick(0, 255));
    SCOPED_TRACE("random case " + std::to_string(i));
    c.check();
  }
}

} // namespace
} // namespace qc::test
