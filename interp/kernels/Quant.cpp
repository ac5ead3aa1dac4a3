// Reference kernels for the Quant op family: QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, and the integer linear ops
// (QLinearConv, QLinearMatMul, ConvInteger, MatMulInteger).
//
// Numerics (see shared/NUMERICS.md):
// - QuantizeLinear divides in the input's precision as the ONNX reference
//   does (f32: float x / float scale; f16/bf16: the float quotient rounded to
//   the input type, as numpy's f16 division), rounds half to even, adds the
//   zero point and saturates. A NaN quotient gives the type's minimum (what
//   the reference's rint -> int32 -> clip produces).
// - DequantizeLinear computes (x - zp) * scale in fp32, then rounds to the
//   scale's type.
// - Integer linear ops accumulate exactly in int64 (zero points subtracted
//   first, so padding with the input zero point contributes 0). QLinear ops
//   requantize with one multiplier per output element,
//     M = double(x_scale) * double(w_scale) / double(y_scale),
//   computed in double from the fp32 scales (the ONNX reference forms the
//   multiplier in fp32), then y = saturate(rne(acc * M) + y_zp).
#include <algorithm>
#include <cmath>

#include "interp/kernels/LinearWalk.h"
#include "ir/infer/LinearShapes.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::interp::kernels {

using ir::ElemType;
using ir::Tensor;
using ir::infer::QuantLayout;

namespace {

/// Maps a flat data index to the flat index of its scale / zero point.
class QuantParamIndexer {
public:
  QuantParamIndexer(const QuantLayout &layout, const Tensor &data, const Tensor &scale)
      : layout_(layout) {
    if (layout.kind == QuantLayout::Kind::PerTensor)
      return;
    size_t axis = size_t(layout.axis);
    extent_ = data.dims()[axis];
    inner_ = product(llvm::ArrayRef(data.dims()).drop_front(axis + 1));
    paramExtent_ = scale.dims()[axis < scale.rank() ? axis : 0];
  }

  int64_t operator()(int64_t i) const {
    switch (layout_.kind) {
    case QuantLayout::Kind::PerTensor:
      return 0;
    case QuantLayout::Kind::PerAxis:
      return (i / inner_) % extent_;
    case QuantLayout::Kind::Blocked: {
      int64_t outer = i / (extent_ * inner_);
      int64_t along = (i / inner_) % extent_;
      return (outer * paramExtent_ + along / layout_.blockSize) * inner_ + i % inner_;
    }
    }
    return 0;
  }

private:
  QuantLayout layout_;
  int64_t extent_ = 1, inner_ = 1, paramExtent_ = 1;
};

llvm::Expected<QuantLayout> layoutOf(const EvalContext &ctx, const Tensor &data,
                                     const Tensor &scale) {
  ir::InferContext ictx{ctx.node, {}, {}};
  return ir::infer::quantLayout(ictx, data.type().shape, scale.type().shape);
}

/// Stores rne-rounded `value` + `zeroPoint`, saturated to the type of `out`.
void storeSaturated(Tensor &out, int64_t i, double rounded, int64_t zeroPoint) {
  double lo = double(ir::elemTypeMin(out.elemType()));
  double hi = double(ir::elemTypeMax(out.elemType()));
  double v = std::isnan(rounded) ? lo : rounded + double(zeroPoint);
  out.setInt(i, int64_t(std::clamp(v, lo, hi)));
}

/// x / scale in the input's precision, rounded half to even.
double quantizedQuotient(ElemType inputType, double x, double scale) {
  float q = float(x) / float(scale);
  if (inputType == ElemType::F16)
    q = ir::halfToFloat(ir::floatToHalf(q));
  else if (inputType == ElemType::BF16)
    q = ir::bf16ToFloat(ir::floatToBf16(q));
  return std::nearbyint(double(q));
}

/// Element `i` of a per-tensor (1 element) or per-channel parameter.
int64_t intParam(const Tensor *t, int64_t i) {
  if (!t)
    return 0;
  return t->getInt(t->numElements() == 1 ? 0 : i);
}
double floatParam(const Tensor &t, int64_t i) { return t.getDouble(t.numElements() == 1 ? 0 : i); }

/// The conv input and weight with their zero points subtracted (per output
/// channel for the weight).
void subtractConvZeroPoints(const Tensor &x, const Tensor *xZeroPoint, const Tensor &w,
                            const Tensor *wZeroPoint, std::vector<int64_t> &xv,
                            std::vector<int64_t> &wv) {
  xv = toInts(x);
  int64_t xz = intParam(xZeroPoint, 0);
  for (int64_t &v : xv)
    v -= xz;
  wv = toInts(w);
  int64_t perChannel = w.dims()[0] ? w.numElements() / w.dims()[0] : 0;
  for (size_t i = 0; i < wv.size(); ++i)
    wv[i] -= intParam(wZeroPoint, int64_t(i) / perChannel);
}

/// `operand` minus its per-tensor / per-row / per-column zero point.
llvm::Expected<std::vector<int64_t>> subtractMatMulZeroPoint(const EvalContext &ctx,
                                                             const Tensor &operand,
                                                             const Tensor *zeroPoint,
                                                             bool rowSide) {
  std::vector<int64_t> v = toInts(operand);
  if (!zeroPoint)
    return v;
  ir::InferContext ictx{ctx.node, {}, {}};
  auto aligned = ir::infer::alignMatMulParam(ictx, operand.type().shape, zeroPoint->type().shape,
                                             rowSide, rowSide ? "a zero point" : "b zero point");
  if (!aligned)
    return aligned.takeError();
  std::vector<int64_t> map = broadcastIndexMap(operand.dims(), aligned->staticDims());
  for (size_t i = 0; i < v.size(); ++i)
    v[i] -= zeroPoint->getInt(map[i]);
  return v;
}

/// For every output element, the index of its row (A-side) or column
/// (B-side) parameter.
llvm::Expected<std::vector<int64_t>> matMulParamMap(const EvalContext &ctx, const MatMulShape &s,
                                                    const Tensor &operand, const Tensor &param,
                                                    bool rowSide) {
  ir::InferContext ictx{ctx.node, {}, {}};
  auto aligned = ir::infer::alignMatMulParam(ictx, operand.type().shape, param.type().shape,
                                             rowSide, rowSide ? "a scale" : "b scale");
  if (!aligned)
    return aligned.takeError();
  return broadcastIndexMap(s.fullDims, aligned->staticDims());
}

} // namespace

llvm::Error evalQuantizeLinear(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &scale = ctx.in(1);
  const Tensor *zeroPoint = ctx.has(2) ? &ctx.in(2) : nullptr;
  auto layout = layoutOf(ctx, x, scale);
  if (!layout)
    return layout.takeError();
  QuantParamIndexer param(*layout, x, scale);
  Tensor &y = ctx.out();
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t p = param(i);
    double q = quantizedQuotient(x.elemType(), x.getDouble(i), scale.getDouble(p));
    storeSaturated(y, i, q, zeroPoint ? zeroPoint->getInt(p) : 0);
  }
  return llvm::Error::success();
}

llvm::Error evalDequantizeLinear(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &scale = ctx.in(1);
  const Tensor *zeroPoint = ctx.has(2) ? &ctx.in(2) : nullptr;
  auto layout = layoutOf(ctx, x, scale);
  if (!layout)
    return layout.takeError();
  QuantParamIndexer param(*layout, x, scale);
  Tensor &y = ctx.out();
  for (int64_t i = 0; i < x.numElements(); ++i) {
    int64_t p = param(i);
    int64_t centered = x.getInt(i) - (zeroPoint ? zeroPoint->getInt(p) : 0);
    float r = float(centered) * float(scale.getDouble(p));
    y.setDouble(i, r);
  }
  return llvm::Error::success();
}

llvm::Error evalDynamicQuantizeLinear(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  const float *xs = x.data<float>();
  // The range always includes 0 so that 0.0 is exactly representable.
  float lo = 0.0f, hi = 0.0f;
  for (int64_t i = 0; i < x.numElements(); ++i) {
    if (!std::isfinite(xs[i]))
      return ctx.error(llvm::formatv("input element {0} is {1}; the quantization range "
                                     "needs finite values",
                                     i, xs[i]));
    lo = std::min(lo, xs[i]);
    hi = std::max(hi, xs[i]);
  }
  float scale = (hi - lo) / 255.0f;
  Tensor &y = ctx.out(0);
  ctx.out(1).setDouble(0, scale);
  if (scale == 0.0f) {
    // All-zero input: NUMERICS.md defines scale 0, zero point 0, y = 0.
    ctx.out(2).setInt(0, 0);
    return llvm::Error::success();
  }
  // zp = saturate(rne(0 - rmin / scale)), in fp32 as the ONNX reference.
  float initialZeroPoint = 0.0f - lo / scale;
  int64_t zeroPoint = int64_t(std::nearbyint(std::clamp(initialZeroPoint, 0.0f, 255.0f)));
  ctx.out(2).setInt(0, zeroPoint);
  for (int64_t i = 0; i < x.numElements(); ++i)
    storeSaturated(y, i, std::nearbyint(double(xs[i] / scale)), zeroPoint);
  return llvm::Error::success();
}

llvm::Error evalQLinearConv(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(3);
  Tensor &y = ctx.out();
  auto s = convShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  std::vector<int64_t> xv, wv;
  subtractConvZeroPoints(x, &ctx.in(2), w, &ctx.in(5), xv, wv);
  std::vector<double> multiplier(size_t(s->outChannels));
  for (int64_t m = 0; m < s->outChannels; ++m) {
    multiplier[size_t(m)] =
        ctx.in(1).getDouble(0) * floatParam(ctx.in(4), m) / ctx.in(6).getDouble(0);
    if (!std::isfinite(multiplier[size_t(m)]))
      return ctx.error(
          llvm::formatv("requantization multiplier of output channel {0} is {1} (a zero y scale?)",
                        m, multiplier[size_t(m)]));
  }
  std::vector<int64_t> bias = ctx.has(8) ? toInts(ctx.in(8)) : std::vector<int64_t>();
  int64_t yZeroPoint = ctx.in(7).getInt(0);
  convolve<int64_t>(*s, xv, wv, [&](int64_t i, int64_t m, int64_t acc) {
    if (!bias.empty())
      acc += bias[size_t(m)];
    storeSaturated(y, i, std::nearbyint(double(acc) * multiplier[size_t(m)]), yZeroPoint);
  });
  return llvm::Error::success();
}

llvm::Error evalConvInteger(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor &y = ctx.out();
  auto s = convShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  std::vector<int64_t> xv, wv;
  subtractConvZeroPoints(x, ctx.has(2) ? &ctx.in(2) : nullptr, w, ctx.has(3) ? &ctx.in(3) : nullptr,
                         xv, wv);
  convolve<int64_t>(*s, xv, wv, [&](int64_t i, int64_t, int64_t acc) { y.setInt(i, acc); });
  return llvm::Error::success();
}

llvm::Error evalMatMulInteger(EvalContext &ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  auto av = subtractMatMulZeroPoint(ctx, a, ctx.has(2) ? &ctx.in(2) : nullptr, true);
  if (!av)
    return av.takeError();
  auto bv = subtractMatMulZeroPoint(ctx, b, ctx.has(3) ? &ctx.in(3) : nullptr, false);
  if (!bv)
    return bv.takeError();
  Tensor &y = ctx.out();
  matMulWalk<int64_t>(matMulShape(a.dims(), b.dims()), *av, *bv,
                      [&](int64_t i, int64_t acc) { y.setInt(i, acc); });
  return llvm::Error::success();
}

llvm::Error evalQLinearMatMul(EvalContext &ctx) {
  const Tensor &a = ctx.in(0), &aScale = ctx.in(1), &b = ctx.in(3), &bScale = ctx.in(4);
  auto av = subtractMatMulZeroPoint(ctx, a, &ctx.in(2), true);
  if (!av)
    return av.takeError();
  auto bv = subtractMatMulZeroPoint(ctx, b, &ctx.in(5), false);
  if (!bv)
    return bv.takeError();
  MatMulShape s = matMulShape(a.dims(), b.dims());
  auto aMap = matMulParamMap(ctx, s, a, aScale, true);
  if (!aMap)
    return aMap.takeError();
  auto bMap = matMulParamMap(ctx, s, b, bScale, false);
  if (!bMap)
    return bMap.takeError();
  double yScale = ctx.in(6).getDouble(0);
  for (const Tensor *scale : {&aScale, &bScale})
    for (int64_t i = 0; i < scale->numElements(); ++i)
      if (!std::isfinite(scale->getDouble(i) / yScale))
        return ctx.error(
            llvm::formatv("requantization multiplier is not finite (scale {0}, y scale {1})",
                          scale->getDouble(i), yScale));
  int64_t yZeroPoint = ctx.in(7).getInt(0);
  Tensor &y = ctx.out();
  matMulWalk<int64_t>(s, *av, *bv, [&](int64_t i, int64_t acc) {
    double multiplier =
        aScale.getDouble((*aMap)[size_t(i)]) * bScale.getDouble((*bMap)[size_t(i)]) / yScale;
    storeSaturated(y, i, std::nearbyint(double(acc) * multiplier), yZeroPoint);
  });
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
