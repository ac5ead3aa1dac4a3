// Reference kernels for qc's integer ops, exactly as docs/quantized-ir.md
// defines them: exact int64 accumulation of zero-point-centred operands, then
// the one fp32 requantization of Requantize.h (or float(acc) * inScale for an
// f32 result). Quantization parameters come from the node's graph values:
// run-time tensors carry none.
#include <cstring>

#include "interp/kernels/LinearWalk.h"
#include "interp/kernels/PoolWalk.h"
#include "interp/kernels/ReduceWalk.h"
#include "interp/kernels/Requantize.h"
#include "llvm/Support/FormatVariadic.h"

namespace qc::interp::kernels {

using ir::ElemType;
using ir::QuantParams;
using ir::Tensor;

namespace {

/// Quantization of operand i (shape inference checked presence and layout).
const QuantParams &operandQuant(const EvalContext &ctx, size_t i) {
  return *ctx.node.operand(i)->type().quant;
}

/// Parameter c of a per-tensor (one value) or per-axis quantization.
double scaleAt(const QuantParams &q, int64_t c) {
  return q.scales[q.scales.size() == 1 ? 0 : size_t(c)];
}
int64_t zeroPointAt(const QuantParams &q, int64_t c) {
  return q.zeroPoints[q.zeroPoints.size() == 1 ? 0 : size_t(c)];
}

/// The elements of `t` minus their zero point; `channelOf(i)` picks the
/// parameter of element i.
template <typename ChannelOf>
std::vector<int64_t> centered(const Tensor &t, const QuantParams &q, ChannelOf channelOf) {
  std::vector<int64_t> v = toInts(t);
  for (size_t i = 0; i < v.size(); ++i)
    v[i] -= zeroPointAt(q, channelOf(int64_t(i)));
  return v;
}
std::vector<int64_t> centered(const Tensor &t, const QuantParams &q) {
  return centered(t, q, [](int64_t) { return int64_t(0); });
}

/// Turns accumulators in units of some inScale into the result: requantized
/// with the fused clamp for a quantized result, float(acc) * float(inScale)
/// for an f32 result.
class OutputStage {
public:
  static llvm::Expected<OutputStage> create(const EvalContext &ctx) {
    OutputStage s;
    const ir::Type &type = ctx.node.result(0)->type();
    s.isFloat_ = !type.quant;
    if (s.isFloat_)
      return s;
    s.outScale_ = type.quant->scales[0];
    s.zeroPoint_ = type.quant->zeroPoints[0];
    s.lo_ = ir::elemTypeMin(type.elem);
    s.hi_ = ir::elemTypeMax(type.elem);
    // The fused activation, in output integer units (checked inside the range).
    s.lo_ = std::max(s.lo_, ctx.node.findInt(ir::AttrName::act_min).value_or(s.lo_));
    s.hi_ = std::min(s.hi_, ctx.node.findInt(ir::AttrName::act_max).value_or(s.hi_));
    return s;
  }

  /// The factor applied to accumulators in units of `inScale`.
  float factor(double inScale) const {
    return isFloat_ ? float(inScale) : requantMultiplier(inScale, outScale_);
  }

  void store(Tensor &y, int64_t i, int64_t acc, float factor) const {
    if (isFloat_)
      y.setDouble(i, mulF32(float(acc), factor));
    else
      y.setInt(i, requantize(acc, factor, zeroPoint_, lo_, hi_));
  }

  /// Stores the mean of `count` centred inputs of scale `xScale` summing to
  /// `acc`: inScale = xScale / count (an empty window, acc = 0, yields zy).
  void storeMean(Tensor &y, int64_t i, int64_t acc, double xScale, int64_t count) const {
    store(y, i, acc, factor(xScale / double(std::max<int64_t>(count, 1))));
  }

  /// Stores a result already computed in fp32 (QAdd, QMul): rne, + zp, clamp.
  void storeScaled(Tensor &y, int64_t i, float scaled) const {
    double shifted = double(std::nearbyint(scaled)) + double(zeroPoint_);
    y.setInt(i, int64_t(std::clamp(shifted, double(lo_), double(hi_))));
  }

private:
  bool isFloat_ = true;
  double outScale_ = 1;
  int64_t zeroPoint_ = 0, lo_ = 0, hi_ = 0;
};

/// The one quantized input of Requantize and the summing ops (pools,
/// ReduceMean): its zero-point-centred integers, its scale, and the output
/// stage of the node's result.
struct CenteredInput {
  std::vector<int64_t> values;
  double scale;
  OutputStage out;
};

llvm::Expected<CenteredInput> centeredInput(const EvalContext &ctx) {
  const QuantParams &xq = operandQuant(ctx, 0);
  auto out = OutputStage::create(ctx);
  if (!out)
    return out.takeError();
  return CenteredInput{centered(ctx.in(0), xq), xq.scales[0], *out};
}

/// Per-channel factors inScale[c] = xScale * wScale[c], each checked finite.
llvm::Expected<std::vector<float>> channelFactors(const EvalContext &ctx, const OutputStage &out,
                                                  double xScale, const QuantParams &w,
                                                  int64_t channels) {
  std::vector<float> f(static_cast<size_t>(channels));
  for (int64_t c = 0; c < channels; ++c) {
    f[size_t(c)] = out.factor(xScale * scaleAt(w, c));
    if (!std::isfinite(f[size_t(c)]))
      return ctx.error(
          llvm::formatv("requantization multiplier of channel {0} is {1}", c, f[size_t(c)]));
  }
  return f;
}

/// The output stage of a linear op and its factor per output channel c,
/// inScale[c] = xScale * wScale[c].
struct ChannelStage {
  OutputStage out;
  std::vector<float> factors;
};

llvm::Expected<ChannelStage> channelStage(const EvalContext &ctx, double xScale,
                                          const QuantParams &w, int64_t channels) {
  auto out = OutputStage::create(ctx);
  if (!out)
    return out.takeError();
  auto factors = channelFactors(ctx, *out, xScale, w, channels);
  if (!factors)
    return factors.takeError();
  return ChannelStage{*out, std::move(*factors)};
}

/// x dequantized exactly as DequantizeLinear does (fp32 (q - zp) * scale),
/// or x itself when it is a float tensor.
Tensor dequantized(const EvalContext &ctx, size_t i) {
  const Tensor &t = ctx.in(i);
  const std::optional<QuantParams> &q = ctx.node.operand(i)->type().quant;
  if (!q)
    return t;
  Tensor r(ElemType::F32, t.dims());
  float scale = float(q->scales[0]);
  for (int64_t k = 0; k < t.numElements(); ++k)
    r.setDouble(k, mulF32(float(t.getInt(k) - q->zeroPoints[0]), scale));
  return r;
}

/// Stores the f32 `result` into the node's result: quantized exactly as
/// QuantizeLinear does (rne(float(v) / float(scale)) + zp, saturated, NaN to
/// the type's minimum), or copied for an f32 result.
void storeQuantized(EvalContext &ctx, const Tensor &result) {
  Tensor &y = ctx.out();
  const std::optional<QuantParams> &q = ctx.node.result(0)->type().quant;
  if (!q) {
    y = result;
    return;
  }
  float scale = float(q->scales[0]);
  double lo = double(ir::elemTypeMin(y.elemType())), hi = double(ir::elemTypeMax(y.elemType()));
  for (int64_t k = 0; k < result.numElements(); ++k) {
    double rounded = std::nearbyint(double(float(result.getDouble(k)) / scale));
    double v = std::isnan(rounded) ? lo : rounded + double(q->zeroPoints[0]);
    y.setInt(k, int64_t(std::clamp(v, lo, hi)));
  }
}

} // namespace

// acc[n, m, p] = sum (qx - zx) * (qw - zw[m]) + bias[m]; inScale[m] = sx * sw[m].
llvm::Error evalQConv(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor &y = ctx.out();
  auto s = convShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  const QuantParams &xq = operandQuant(ctx, 0), &wq = operandQuant(ctx, 1);
  auto stage = channelStage(ctx, xq.scales[0], wq, s->outChannels);
  if (!stage)
    return stage.takeError();
  int64_t perChannel = s->outChannels ? w.numElements() / s->outChannels : 0;
  std::vector<int64_t> xv = centered(x, xq);
  std::vector<int64_t> wv = centered(w, wq, [&](int64_t i) { return i / perChannel; });
  std::vector<int64_t> bias = ctx.has(2) ? toInts(ctx.in(2)) : std::vector<int64_t>();
  // Padding taps are skipped: the input is padded with zx, i.e. 0 once centred.
  convolve<int64_t>(*s, xv, wv, [&](int64_t i, int64_t m, int64_t acc) {
    stage->out.store(y, i, bias.empty() ? acc : acc + bias[size_t(m)], stage->factors[size_t(m)]);
  });
  return llvm::Error::success();
}

// The ConvTranspose sums of (qx - zx) * (qw - zw[j]) with w as [C, M/group, k...]
// quantized along axis 1 (j = m mod M/group), then as QConv.
llvm::Error evalQConvTranspose(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor &y = ctx.out();
  auto s = convTransposeShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  const QuantParams &xq = operandQuant(ctx, 0), &wq = operandQuant(ctx, 1);
  int64_t outPerGroup = w.dims()[1];
  auto stage = channelStage(ctx, xq.scales[0], wq, outPerGroup);
  if (!stage)
    return stage.takeError();
  int64_t kernelSize = product(s->kernel);
  std::vector<int64_t> xv = centered(x, xq);
  std::vector<int64_t> wv =
      centered(w, wq, [&](int64_t i) { return (i / kernelSize) % outPerGroup; });
  std::vector<int64_t> acc = convTransposeSums<int64_t>(*s, xv, wv);
  std::vector<int64_t> bias = ctx.has(2) ? toInts(ctx.in(2)) : std::vector<int64_t>();
  int64_t outSize = product(s->outSpatial);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    int64_t m = (i / outSize) % s->outChannels;
    int64_t sum = acc[size_t(i)] + (bias.empty() ? 0 : bias[size_t(m)]);
    stage->out.store(y, i, sum, stage->factors[size_t(m % outPerGroup)]);
  }
  return llvm::Error::success();
}

// acc[..., i, n] = sum_k (qa - za) * (qb - zb[n]) + bias[n]; inScale[n] = sa * sb[n].
llvm::Error evalQMatMul(EvalContext &ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor &y = ctx.out();
  const QuantParams &aq = operandQuant(ctx, 0), &bq = operandQuant(ctx, 1);
  MatMulShape s = matMulShape(a.dims(), b.dims());
  auto stage = channelStage(ctx, aq.scales[0], bq, s.n);
  if (!stage)
    return stage.takeError();
  std::vector<int64_t> av = centered(a, aq);
  std::vector<int64_t> bv = centered(b, bq, [&](int64_t i) { return i % s.n; });
  std::vector<int64_t> bias = ctx.has(2) ? toInts(ctx.in(2)) : std::vector<int64_t>();
  matMulWalk<int64_t>(s, av, bv, [&](int64_t i, int64_t acc) {
    int64_t n = i % s.n;
    stage->out.store(y, i, bias.empty() ? acc : acc + bias[size_t(n)], stage->factors[size_t(n)]);
  });
  return llvm::Error::success();
}

namespace {

/// QAdd and QMul: `combine(a - za, b - zb)` gives the fp32 value before
/// rounding (or, for an f32 result, the real value) per broadcast element.
template <typename Combine> llvm::Error evalBinary(EvalContext &ctx, Combine combine) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor &y = ctx.out();
  const QuantParams &aq = operandQuant(ctx, 0), &bq = operandQuant(ctx, 1);
  auto out = OutputStage::create(ctx);
  if (!out)
    return out.takeError();
  const std::optional<QuantParams> &yq = ctx.node.result(0)->type().quant;
  double outScale = yq ? yq->scales[0] : 1.0;
  std::vector<int64_t> aMap = broadcastIndexMap(y.dims(), a.dims());
  std::vector<int64_t> bMap = broadcastIndexMap(y.dims(), b.dims());
  for (int64_t i = 0; i < y.numElements(); ++i) {
    int64_t da = a.getInt(aMap[size_t(i)]) - aq.zeroPoints[0];
    int64_t db = b.getInt(bMap[size_t(i)]) - bq.zeroPoints[0];
    float v = combine(da, db, aq.scales[0], bq.scales[0], outScale);
    if (yq)
      out->storeScaled(y, i, v);
    else
      y.setDouble(i, v);
  }
  return llvm::Error::success();
}

} // namespace

// qy = rne(ma * float(qa - za) + mb * float(qb - zb)) + zy, each step in fp32.
llvm::Error evalQAdd(EvalContext &ctx) {
  return evalBinary(ctx, [](int64_t da, int64_t db, double sa, double sb, double sy) {
    float ma = float(sa / sy), mb = float(sb / sy);
    return addF32(mulF32(ma, float(da)), mulF32(mb, float(db)));
  });
}

// qy = rne(mm * float((qa - za) * (qb - zb))) + zy, mm = float(sa * sb / sy).
llvm::Error evalQMul(EvalContext &ctx) {
  return evalBinary(ctx, [](int64_t da, int64_t db, double sa, double sb, double sy) {
    return mulF32(float(sa * sb / sy), float(da * db));
  });
}

// qy = sat(rne(float(qx - zx) * float(sx / sy)) + zy).
llvm::Error evalRequantize(EvalContext &ctx) {
  auto x = centeredInput(ctx);
  if (!x)
    return x.takeError();
  float factor = x->out.factor(x->scale);
  for (size_t i = 0; i < x->values.size(); ++i)
    x->out.store(ctx.out(), int64_t(i), x->values[i], factor);
  return llvm::Error::success();
}

// qy = table[qx - min(T_x)].
llvm::Error evalQLut(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &table = ctx.in(1);
  Tensor &y = ctx.out();
  int64_t first = ir::elemTypeMin(x.elemType());
  size_t bytes = ir::elemTypeStorageBytes(table.elemType());
  for (int64_t i = 0; i < x.numElements(); ++i)
    std::memcpy(y.raw() + size_t(i) * bytes, table.raw() + size_t(x.getInt(i) - first) * bytes,
                bytes);
  return llvm::Error::success();
}

// acc = sum over the window of (qx - zx) (padding counts as zx, i.e. 0),
// inScale = sx / n with n per count_include_pad.
llvm::Error evalQAveragePool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  Tensor &y = ctx.out();
  auto g = windowGeometryOf(ctx);
  if (!g)
    return g.takeError();
  auto in = centeredInput(ctx);
  if (!in)
    return in.takeError();
  bool includePad = ctx.node.getInt(ir::AttrName::count_include_pad) == 1;
  llvm::ArrayRef<int64_t> inSpatial = llvm::ArrayRef(x.dims()).drop_front(2);
  llvm::ArrayRef<int64_t> outSpatial = llvm::ArrayRef(y.dims()).drop_front(2);
  int64_t inPlane = planeSize(x.dims()), outPlane = planeSize(y.dims());
  int64_t planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p)
    forEachWindow(*g, inSpatial, outSpatial, [&](const Window &w, int64_t outOffset) {
      int64_t acc = 0;
      for (int64_t offset : w.offsets)
        acc += in->values[size_t(p * inPlane + offset)];
      int64_t count = includePad ? w.tapsInPaddedInput : int64_t(w.offsets.size());
      in->out.storeMean(y, p * outPlane + outOffset, acc, in->scale, count);
    });
  return llvm::Error::success();
}

// acc = sum over each N,C plane of (qx - zx), inScale = sx / plane size.
llvm::Error evalQGlobalAveragePool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  auto in = centeredInput(ctx);
  if (!in)
    return in.takeError();
  int64_t plane = planeSize(x.dims()), planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p) {
    int64_t acc = 0;
    for (int64_t i = 0; i < plane; ++i)
      acc += in->values[size_t(p * plane + i)];
    in->out.storeMean(ctx.out(), p, acc, in->scale, plane);
  }
  return llvm::Error::success();
}

// acc = sum over the reduced elements of (qx - zx), inScale = sx / count.
llvm::Error evalQReduceMean(EvalContext &ctx) {
  Tensor &y = ctx.out();
  auto in = centeredInput(ctx);
  if (!in)
    return in.takeError();
  std::optional<std::vector<int64_t>> map = reduceIndexMap(ctx);
  std::vector<int64_t> acc(size_t(y.numElements()), 0), count(size_t(y.numElements()), 0);
  for (size_t i = 0; i < in->values.size(); ++i) {
    size_t o = map ? size_t((*map)[i]) : i; // no map: the identity
    acc[o] += in->values[i];
    ++count[o];
  }
  for (size_t o = 0; o < acc.size(); ++o)
    in->out.storeMean(y, int64_t(o), acc[o], in->scale, count[o]);
  return llvm::Error::success();
}

// DequantizeLinear -> Softmax (the reference kernel) -> QuantizeLinear.
llvm::Error evalQSoftmax(EvalContext &ctx) {
  Tensor x = dequantized(ctx, 0);
  EvalContext floatCtx{ctx.node, {&x}, {}};
  floatCtx.outputs.emplace_back(ElemType::F32, x.dims());
  if (llvm::Error e = evalSoftmax(floatCtx))
    return e;
  storeQuantized(ctx, floatCtx.out());
  return llvm::Error::success();
}

// DequantizeLinear -> LayerNormalization (the reference kernel) -> QuantizeLinear.
llvm::Error evalQLayerNorm(EvalContext &ctx) {
  Tensor x = dequantized(ctx, 0), scale = dequantized(ctx, 1);
  Tensor bias = ctx.has(2) ? dequantized(ctx, 2) : Tensor();
  EvalContext floatCtx{ctx.node, {&x, &scale, ctx.has(2) ? &bias : nullptr}, {}};
  floatCtx.outputs.emplace_back(ElemType::F32, x.dims());
  if (llvm::Error e = evalLayerNormalization(floatCtx))
    return e;
  storeQuantized(ctx, floatCtx.out());
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
