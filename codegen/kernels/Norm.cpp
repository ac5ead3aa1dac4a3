// Row kernels of qc.QSoftmax and qc.QLayerNorm (params in Norm.h): fp32
// inside with the vectorizable exp of MathApprox.h, sums in 16 independent
// lanes (vectorizable without reassociation flags), int8 or f32 I/O.
#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/MathApprox.h"
#include "codegen/kernels/Norm.h"

namespace {

constexpr int kSumLanes = 16;
// Softmax rows up to this length keep their exps on the stack; longer rows
// compute them twice.
constexpr int64_t kStackRow = 2048;

// Reads element k of a row as fp32: DequantizeLinear's (q - zp) * scale.
template <class In> struct Reader {
  const In *p;
  int64_t stride;
  float scale;
  int32_t zp;
  float operator()(int64_t k) const {
    if constexpr (sizeof(In) == 4)
      return float(p[k * stride]);
    else
      return float(int32_t(p[k * stride]) - zp) * scale;
  }
};

// Writes y as QuantizeLinear does: rne(y / scale) + zp, saturated, NaN to the
// type's minimum (clamping before the rounding gives the same integer).
template <class Out> struct Writer {
  Out *p;
  int64_t stride;
  float scale;
  int32_t zp;
  void operator()(int64_t k, float y) const {
    if constexpr (sizeof(Out) == 4) {
      p[k * stride] = y;
    } else {
      constexpr float lo = Out(-1) < Out(0) ? -128.0f : 0.0f;
      constexpr float hi = Out(-1) < Out(0) ? 127.0f : 255.0f;
      float q = y / scale;
      float l = lo - float(zp), h = hi - float(zp);
      q = q != q ? l : q;
      q = q < l ? l : q;
      q = q > h ? h : q;
      p[k * stride] = Out(int32_t(mathapprox::roundSmall(q)) + zp);
    }
  }
};

template <class F> float laneSum(int64_t n, F &&term) {
  float lanes[kSumLanes] = {};
  int64_t k = 0;
  for (; k + kSumLanes <= n; k += kSumLanes)
    for (int j = 0; j < kSumLanes; ++j)
      lanes[j] += term(k + j);
  for (int j = 0; k + j < n; ++j)
    lanes[j] += term(k + j);
  for (int w = kSumLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j)
      lanes[j] += lanes[j + w];
  return lanes[0];
}

template <class In, class Out>
void softmaxRow(const qc_softmax_params &p, const In *x, Out *y) {
  const qc_norm_io &io = p.io;
  Reader<In> rd{x, p.inner, io.in_scale, io.in_zp};
  Writer<Out> wr{y, p.inner, io.out_scale, io.out_zp};
  const int64_t n = p.extent;
  float maxValue = rd(0);
  for (int64_t k = 1; k < n; ++k) {
    float v = rd(k);
    maxValue = v > maxValue ? v : maxValue;
  }
  if (n <= kStackRow) {
    float e[kStackRow];
    for (int64_t k = 0; k < n; ++k)
      e[k] = mathapprox::expf(rd(k) - maxValue);
    float sum = laneSum(n, [&](int64_t k) { return e[k]; });
    for (int64_t k = 0; k < n; ++k)
      wr(k, e[k] / sum);
  } else {
    float sum = laneSum(n, [&](int64_t k) { return mathapprox::expf(rd(k) - maxValue); });
    for (int64_t k = 0; k < n; ++k)
      wr(k, mathapprox::expf(rd(k) - maxValue) / sum);
  }
}

template <class In, class Out>
void layerNormRow(const qc_layernorm_params &p, const float *gamma, const float *beta,
                  const In *x, Out *y) {
  const qc_norm_io &io = p.io;
  Reader<In> rd{x, 1, io.in_scale, io.in_zp};
  Writer<Out> wr{y, 1, io.out_scale, io.out_zp};
  const int64_t n = p.cols;
  const float mean = laneSum(n, rd) / float(n);
  const float squares = laneSum(n, [&](int64_t k) {
    float d = rd(k) - mean;
    return d * d;
  });
  const float invStd = 1.0f / __builtin_sqrtf(squares / float(n) + p.epsilon);
  for (int64_t k = 0; k < n; ++k) {
    float v = (rd(k) - mean) * invStd;
    v = v * gamma[k];
    if (beta)
      v = v + beta[k];
    wr(k, v);
  }
}

// Calls fn(In{}, Out{}) with the element types of io.
template <class Fn> void withTypes(const qc_norm_io &io, Fn &&fn) {
  auto out = [&](auto in) {
    switch (io.out_kind) {
    case QC_NORM_U8: fn(in, uint8_t{}); break;
    case QC_NORM_S8: fn(in, int8_t{}); break;
    default: fn(in, float{}); break;
    }
  };
  switch (io.in_kind) {
  case QC_NORM_U8: out(uint8_t{}); break;
  case QC_NORM_S8: out(int8_t{}); break;
  default: out(float{}); break;
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(softmax_rows)(QC_KERNEL_PARAMS) {
  const qc_softmax_params &p = *static_cast<const qc_softmax_params *>(params_);
  withTypes(p.io, [&](auto inTag, auto outTag) {
    using In = decltype(inTag);
    using Out = decltype(outTag);
    const In *x = static_cast<const In *>(in[0]);
    Out *y = static_cast<Out *>(out[0]);
    for (int64_t r = task_begin; r < task_end; ++r) {
      int64_t base = (r / p.inner) * p.extent * p.inner + r % p.inner;
      softmaxRow(p, x + base, y + base);
    }
  });
}

QC_KERNEL_EXTERN void QC_KERNEL(layernorm_rows)(QC_KERNEL_PARAMS) {
  const qc_layernorm_params &p = *static_cast<const qc_layernorm_params *>(params_);
  const float *gamma = static_cast<const float *>(consts[0]);
  const float *beta = p.has_bias ? static_cast<const float *>(consts[1]) : nullptr;
  withTypes(p.io, [&](auto inTag, auto outTag) {
    using In = decltype(inTag);
    using Out = decltype(outTag);
    const In *x = static_cast<const In *>(in[0]);
    Out *y = static_cast<Out *>(out[0]);
    for (int64_t r = task_begin; r < task_end; ++r)
      layerNormRow(p, gamma, beta, x + r * p.cols, y + r * p.cols);
  });
}
