// qs8_conv2d (kernels/Qs8Gemm.cpp via emit/QConvGemm.cpp) on every ISA
// against the interpreter's qc.QConv, bit-exact: dense and grouped, 1x1 and
// KxK, strides, dilations, padding, u8/s8 inputs, s8/u8/i4 weights, zero
// points at the limits, per-channel scales, clamps, f32 output, large K.
#include "tests/kernels/Qs8GemmTester.h"

namespace qc::test {
namespace {

struct ConvCase {
  int64_t batch = 1, c = 8, m = 8, h = 5, w = 5, kh = 3, kw = 3;
  int64_t strideH = 1, strideW = 1, dilH = 1, dilW = 1;
  int64_t padT = 1, padL = 1, padB = 1, padR = 1, group = 1;
  ElemType xType = ElemType::U8, wType = ElemType::I8, yType = ElemType::U8;
  int64_t zx = 128, zy = 128;
  bool perChannel = true, weightZeroPoints = false, withBias = true;
  std::optional<int64_t> actMin, actMax;
  /// Activations / weights all at one extreme (overflow limits) when set.
  std::optional<int64_t> xFill, wFill;
  double wScaleLo = 1e-3, wScaleHi = 1e-1;

  std::string str() const {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "N%ld C%ld M%ld %ldx%ld k%ldx%ld s%ld,%ld d%ld,%ld p%ld,%ld,%ld,%ld g%ld x%s "
                  "w%s y%s zx%ld",
                  long(batch), long(c), long(m), long(h), long(w), long(kh), long(kw),
                  long(strideH), long(strideW), long(dilH), long(dilW), long(padT), long(padL),
                  long(padB), long(padR), long(group), ir::elemTypeName(xType).str().c_str(),
                  ir::elemTypeName(wType).str().c_str(), ir::elemTypeName(yType).str().c_str(),
                  long(zx));
    return buf;
  }

  int64_t run() const {
    int64_t oh = (h + padT + padB - dilH * (kh - 1) - 1) / strideH + 1;
    int64_t ow = (w + padL + padR - dilW * (kw - 1) - 1) / strideW + 1;
    ir::Graph g;
    ir::Type xt(xType, ir::Shape::fromStatic({batch, c, h, w}));
    double sx = randScale(0.005, 0.05);
    xt.quant = quant({sx}, {zx});
    ir::Value *xv = g.addInput("x", xt);

    ir::Tensor wt(wType, {m, c / group, kh, kw});
    int64_t wLo = ir::elemTypeMin(wType), wHi = ir::elemTypeMax(wType);
    for (int64_t i = 0; i < wt.numElements(); ++i)
      wt.setInt(i, wFill ? *wFill : randInt(wLo, wHi));
    std::vector<double> sw;
    std::vector<int64_t> zw;
    for (int64_t j = 0; j < (perChannel ? m : 1); ++j) {
      sw.push_back(randScale(wScaleLo, wScaleHi));
      int64_t mid = wType == ElemType::U8 ? 128 : wType == ElemType::U4 ? 8 : 0;
      zw.push_back(weightZeroPoints ? (j % 3 == 0 ? wLo : j % 3 == 1 ? wHi : randInt(wLo, wHi))
                                    : mid);
    }
    ir::Value *wv = g.addConstant("w", wt);
    ir::Type wtype = wv->type();
    wtype.quant = quant(sw, zw, perChannel ? std::optional<int64_t>(0) : std::nullopt);
    wv->setType(wtype);
    std::vector<ir::Value *> ops{xv, wv};
    if (withBias) {
      ir::Tensor bt(ElemType::I32, {m});
      for (int64_t j = 0; j < m; ++j)
        bt.setInt(j, randInt(-20000, 20000));
      ops.push_back(g.addConstant("b", bt));
    }
    ir::Type yt(yType, ir::Shape::fromStatic({batch, m, oh, ow}));
    if (yType != ElemType::F32) {
      // Output scale so that typical accumulators span the output range.
      double k = double(kh * kw * c / group);
      yt.quant = quant({double(float(sx * std::sqrt(wScaleLo * wScaleHi) * 40 * std::sqrt(k)))},
                       {zy});
    }
    ir::Node *n = g.createNode(ir::OpKind::QConv, ops, {{"y", yt}});
    n->setName("conv");
    n->setAttr(ir::AttrName::kernel_shape, std::vector<int64_t>{kh, kw});
    n->setAttr(ir::AttrName::strides, std::vector<int64_t>{strideH, strideW});
    n->setAttr(ir::AttrName::dilations, std::vector<int64_t>{dilH, dilW});
    n->setAttr(ir::AttrName::pads, std::vector<int64_t>{padT, padL, padB, padR});
    n->setAttr(ir::AttrName::group, group);
    if (actMin)
      n->setAttr(ir::AttrName::act_min, *actMin);
    if (actMax)
      n->setAttr(ir::AttrName::act_max, *actMax);
    g.addOutput(n->result(0));

    ir::Tensor x(xType, {batch, c, h, w});
    int64_t xLo = ir::elemTypeMin(xType), xHi = ir::elemTypeMax(xType);
    for (int64_t i = 0; i < x.numElements(); ++i)
      x.setInt(i, xFill ? *xFill : randInt(xLo, xHi));
    return checkAllIsas(*n, x, {0, 2, 3, 1}, codegen::emitQConvGemm, str());
  }
};

TEST(Qs8Conv, Pointwise1x1) {
  for (int64_t c : {1, 3, 4, 7, 16, 17, 64})
    for (int64_t m : {1, 5, 16, 33, 64, 80}) {
      ConvCase t;
      t.c = c, t.m = m, t.kh = t.kw = 1, t.padT = t.padL = t.padB = t.padR = 0;
      t.h = 3, t.w = 5;
      EXPECT_GT(t.run(), 0);
    }
}

TEST(Qs8Conv, Dense3x3Padded) {
  for (int64_t c : {3, 8, 13, 32})
    for (int64_t m : {8, 24, 48, 70}) {
      ConvCase t;
      t.c = c, t.m = m, t.h = 7, t.w = 6;
      EXPECT_GT(t.run(), 0);
    }
}

TEST(Qs8Conv, StridesDilationsAsymmetricPads) {
  ConvCase t;
  t.c = 12, t.m = 20, t.h = 9, t.w = 11, t.strideH = 2, t.strideW = 2;
  EXPECT_GT(t.run(), 0);
  t.dilH = 2, t.dilW = 2, t.strideH = t.strideW = 1, t.padT = 2, t.padL = 0, t.padB = 1,
  t.padR = 2;
  EXPECT_GT(t.run(), 0);
  t.kh = 5, t.kw = 2, t.strideH = 3, t.strideW = 1, t.dilH = 1, t.dilW = 3;
  EXPECT_GT(t.run(), 0);
  // 7x7 stride 2 pad 3: ResNet's stem with 3 input channels.
  ConvCase stem;
  stem.c = 3, stem.m = 64, stem.h = stem.w = 20, stem.kh = stem.kw = 7;
  stem.strideH = stem.strideW = 2, stem.padT = stem.padL = stem.padB = stem.padR = 3;
  EXPECT_GT(stem.run(), 0);
}

TEST(Qs8Conv, OneByOneSpatial) {
  ConvCase t;
  t.h = t.w = 1, t.c = 40, t.m = 36;
  EXPECT_GT(t.run(), 0); // 3x3 over 1x1 with padding: 8 of 9 taps padded
  t.padT = t.padL = t.padB = t.padR = 0, t.kh = t.kw = 1;
  EXPECT_GT(t.run(), 0);
}

TEST(Qs8Conv, Grouped) {
  for (int64_t group : {2, 4}) {
    ConvCase t;
    t.group = group, t.c = 8 * group + (group == 2 ? 6 : 0), t.m = 12 * group, t.h = 6,
    t.w = 7;
    EXPECT_GT(t.run(), 0);
    t.c = 5 * group, t.m = 3 * group, t.weightZeroPoints = true;
    EXPECT_GT(t.run(), 0);
  }
}

TEST(Qs8Conv, SignedInputsAndZeroPointLimits) {
  for (ElemType xt : {ElemType::U8, ElemType::I8})
    for (int64_t zx : xt == ElemType::U8 ? std::vector<int64_t>{0, 255, 77}
                                         : std::vector<int64_t>{-128, 127, -3}) {
      ConvCase t;
      t.xType = xt, t.zx = zx, t.c = 11, t.m = 19;
      EXPECT_GT(t.run(), 0);
    }
}

TEST(Qs8Conv, WeightTypesAndZeroPoints) {
  // (i4/u4 weights: the emitter unpacks them, but the interpreter's qc.QConv
  // takes only i8/u8, so there is no oracle for them here.)
  for (ElemType wt : {ElemType::I8, ElemType::U8})
    for (bool zp : {false, true}) {
      ConvCase t;
      t.wType = wt, t.weightZeroPoints = zp, t.c = 9, t.m = 21, t.xType = ElemType::I8,
      t.zx = 5;
      EXPECT_GT(t.run(), 0);
      t.perChannel = false;
      EXPECT_GT(t.run(), 0);
    }
}

TEST(Qs8Conv, OutputsClampsAndScales) {
  for (ElemType yt : {ElemType::U8, ElemType::I8, ElemType::F32}) {
    ConvCase t;
    t.yType = yt, t.zy = yt == ElemType::I8 ? -5 : 3, t.c = 16, t.m = 35;
    t.wScaleLo = 1e-6, t.wScaleHi = 1;
    EXPECT_GT(t.run(), 0);
    if (yt != ElemType::F32) {
      t.actMin = t.zy, t.actMax = t.zy + 100; // ReLU-like clamp
      EXPECT_GT(t.run(), 0);
    }
  }
  ConvCase noBias;
  noBias.withBias = false;
  EXPECT_GT(noBias.run(), 0);
}

TEST(Qs8Conv, LargeKExtremeValues) {
  // K = 3*3*512 = 4608 with every product at its extreme: 255 * -128 per tap,
  // the accumulator near -2^31 / 3.6; f32 output shows the exact sum.
  for (ElemType yt : {ElemType::F32, ElemType::U8}) {
    ConvCase t;
    t.c = 512, t.m = 20, t.h = t.w = 3, t.xFill = 255, t.wFill = -128, t.zx = 0;
    t.yType = yt, t.withBias = false;
    EXPECT_GT(t.run(), 0);
    t.xFill = 0, t.zx = 255, t.wFill = 127, t.xType = ElemType::U8;
    EXPECT_GT(t.run(), 0);
  }
}

TEST(Qs8Conv, StaticBatch) {
  ConvCase t;
  t.batch = 3, t.c = 6, t.m = 10;
  EXPECT_GT(t.run(), 0);
}

TEST(Qs8Conv, RandomShapes) {
  for (int i = 0; i < 40; ++i) {
    ConvCase t;
    t.group = randInt(0, 3) == 0 ? randInt(2, 3) : 1;
    t.c = randInt(1, 40) * t.group, t.m = randInt(1, 40) * t.group;
    if (t.group > 1 && t.c == t.group)
      t.c *= 2; // group == C is the depthwise family's
    t.kh = randInt(1, 4), t.kw = randInt(1, 4);
    t.strideH = randInt(1, 3), t.strideW = randInt(1, 3);
    t.dilH = randInt(1, 2), t.dilW = randInt(1, 2);
    t.padT = randInt(0, t.kh - 1), t.padB = randInt(0, t.kh - 1);
    t.padL = randInt(0, t.kw - 1), t.padR = randInt(0, t.kw - 1);
    t.h = randInt(t.dilH * (t.kh - 1) + 1, 12), t.w = randInt(t.dilW * (t.kw - 1) + 1, 12);
    t.xType = randInt(0, 1) ? ElemType::U8 : ElemType::I8;
    t.zx = randInt(ir::elemTypeMin(t.xType), ir::elemTypeMax(t.xType));
    t.wType = randInt(0, 3) ? ElemType::I8 : ElemType::U8;
    t.weightZeroPoints = randInt(0, 3) == 0;
    t.perChannel = randInt(0, 1);
    t.yType = randInt(0, 4) == 0 ? ElemType::F32 : randInt(0, 1) ? ElemType::U8 : ElemType::I8;
    t.zy = t.yType == ElemType::F32 ? 0
                                    : randInt(ir::elemTypeMin(t.yType), ir::elemTypeMax(t.yType));
    EXPECT_GT(t.run(), 0) << t.str();
  }
}

TEST(Qs8Conv, SmallChannelsPackedRows) {
  // Few channels per group: whole windows gathered into packed rows (stems).
  // Rows (output pixels) are rarely a multiple of MR here.
  int i = 0;
  for (int64_t c : {1, 2, 3, 5, 7})
    for (int64_t k : {1, 3, 5, 7})
      for (int64_t stride : {1, 2}) {
        ConvCase t;
        t.c = c, t.m = c == 3 ? 64 : 5 + 9 * c, t.kh = t.kw = k;
        t.strideH = t.strideW = stride;
        t.padT = t.padL = t.padB = t.padR = k / 2;
        t.h = 9 + c, t.w = 7 + k;
        t.xType = i % 2 ? ElemType::I8 : ElemType::U8;
        t.zx = i % 2 ? -7 : 131;
        t.weightZeroPoints = i % 3 == 0;
        t.yType = i % 5 == 4 ? ElemType::F32 : i % 5 == 3 ? ElemType::I8 : ElemType::U8;
        t.zy = t.yType == ElemType::I8 ? -3 : t.yType == ElemType::F32 ? 0 : 100;
        ++i;
        EXPECT_GT(t.run(), 0) << t.str();
      }
  // Dilation 2 (taps not contiguous), asymmetric padding at every border,
  // a window wider than the image.
  ConvCase d;
  d.c = 3, d.m = 20, d.kh = 3, d.kw = 5, d.dilH = d.dilW = 2, d.h = 8, d.w = 9;
  d.padT = 3, d.padL = 1, d.padB = 0, d.padR = 4;
  EXPECT_GT(d.run(), 0) << d.str();
  d.weightZeroPoints = true, d.xType = ElemType::I8, d.zx = 0, d.strideW = 2;
  EXPECT_GT(d.run(), 0) << d.str();
  ConvCase wide;
  wide.c = 2, wide.m = 17, wide.kh = wide.kw = 7, wide.h = 4, wide.w = 3;
  wide.padT = wide.padL = wide.padB = wide.padR = 3;
  EXPECT_GT(wide.run(), 0) << wide.str();
  // Groups with small per-group channels; the largest packed row, and the
  // first one too long for the packed buffer (the window path).
  for (int64_t group : {2, 3}) {
    ConvCase g;
    g.group = group, g.c = 3 * group, g.m = 8 * group, g.h = 7, g.w = 6;
    g.weightZeroPoints = group == 3;
    EXPECT_GT(g.run(), 0) << g.str();
  }
  for (int64_t c : {15, 13}) {
    ConvCase big;
    big.c = c, big.m = 24, big.kh = big.kw = c == 15 ? 8 : 9, big.h = big.w = 11;
    big.padT = big.padL = 4, big.padB = big.padR = 3;
    big.weightZeroPoints = true;
    EXPECT_GT(big.run(), 0) << big.str();
  }
}

TEST(Qs8Conv, PointwiseRows) {
  // 1x1 without padding reads rows directly: unit and non-unit strides, a
  // bottom/right padding that puts the last rows outside (window path).
  int i = 0;
  for (int64_t c : {4, 6, 16, 24, 33})
    for (int64_t stride : {1, 2, 3}) {
      ConvCase t;
      t.c = c, t.m = 7 + 5 * c, t.kh = t.kw = 1, t.padT = t.padL = t.padB = t.padR = 0;
      t.strideH = t.strideW = stride;
      t.h = 7, t.w = 11;
      t.xType = i % 2 ? ElemType::I8 : ElemType::U8;
      t.zx = i % 2 ? 3 : 250;
      t.weightZeroPoints = i % 3 == 1;
      t.yType = i % 4 == 3 ? ElemType::F32 : ElemType::U8;
      ++i;
      EXPECT_GT(t.run(), 0) << t.str();
    }
  ConvCase padded;
  padded.c = 8, padded.m = 16, padded.kh = padded.kw = 1, padded.padT = padded.padL = 0;
  padded.padB = padded.padR = 1, padded.h = 5, padded.w = 6;
  EXPECT_GT(padded.run(), 0) << padded.str();
  padded.strideH = 2, padded.strideW = 3, padded.padB = 2, padded.padR = 2;
  EXPECT_GT(padded.run(), 0) << padded.str();
}

TEST(Qs8Conv, RefusesAccumulatorOverflow) {
  // K = 3*3*8192 = 73728 at 255 * -128 (2.4e9) cannot be exact in int32.
  ir::Graph g;
  ir::Type xt(ElemType::U8, ir::Shape::fromStatic({1, 8192, 3, 3}));
  xt.quant = quant({0.1}, {0});
  ir::Value *xv = g.addInput("x", xt);
  ir::Tensor wt(ElemType::I8, {1, 8192, 3, 3});
  for (int64_t i = 0; i < wt.numElements(); ++i)
    wt.setInt(i, -128);
  ir::Value *wv = g.addConstant("w", wt);
  ir::Type wtype = wv->type();
  wtype.quant = quant({0.1}, {0});
  wv->setType(wtype);
  ir::Type yt(ElemType::U8, ir::Shape::fromStatic({1, 1, 1, 1}));
  yt.quant = quant({1.0}, {0});
  ir::Node *n = g.createNode(ir::OpKind::QConv, {xv, wv}, {{"y", yt}});
  n->setName("big");
  n->setAttr(ir::AttrName::kernel_shape, std::vector<int64_t>{3, 3});
  codegen::EmitContext ctx{*n, Isa::Avx512Vnni, {}, {}};
  ctx.operands = {operandOf(xv, {0, 2, 3, 1}), operandOf(wv, {})};
  ctx.results = {operandOf(n->result(0), {0, 2, 3, 1})};
  auto calls = codegen::emitQConvGemm(ctx);
  ASSERT_FALSE(bool(calls));
  std::string msg = llvm::toString(calls.takeError());
  EXPECT_NE(msg.find("node 'big'"), std::string::npos) << msg;
  EXPECT_NE(msg.find("overflow"), std::string::npos) << msg;
}

} // namespace
} // namespace qc::test
