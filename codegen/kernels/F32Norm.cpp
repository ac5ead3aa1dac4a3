// fp32 Softmax, LayerNormalization, BatchNormalization, Reduce* and
// average pools. Reductions keep vector-wide partial results (clang vector
// extensions), since the loop vectorizer may not reassociate float sums.
#include "codegen/kernels/F32Norm.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/MathApprox.h"

namespace {

namespace ma = mathapprox;

#if defined(QC_ISA_AVX512VNNI)
constexpr int kW = 16;
#elif defined(QC_ISA_AVXVNNI) || defined(QC_ISA_AVX2)
constexpr int kW = 8;
#else
constexpr int kW = 4;
#endif

typedef float Vec __attribute__((vector_size(kW * 4)));
typedef float VecU __attribute__((vector_size(kW * 4), aligned(4)));

inline Vec loadVec(const float *p) { return *reinterpret_cast<const VecU *>(p); }

inline float maxNan(float a, float b) { return (int(b > a) | int(ma::isNan(b))) ? b : a; }
inline float minNan(float a, float b) { return (int(b < a) | int(ma::isNan(b))) ? b : a; }

// Sum of n floats: kW lanes of partial sums, then the lanes.
inline float sumOf(const float *x, int64_t n) {
  Vec acc = Vec{};
  int64_t i = 0;
  for (; i + kW <= n; i += kW)
    acc += loadVec(x + i);
  float s = 0.0f;
  for (int l = 0; l < kW; ++l)
    s += acc[l];
  for (; i < n; ++i)
    s += x[i];
  return s;
}

// Max of n >= 1 floats, NaN-propagating.
inline float maxOf(const float *x, int64_t n) {
  Vec acc = Vec{} + x[0];
  Vec nan = Vec{};
  int64_t i = 0;
  for (; i + kW <= n; i += kW) {
    Vec v = loadVec(x + i);
    acc = v > acc ? v : acc;
    nan += v - v; // NaN stays NaN
  }
  float m = x[0];
  for (int l = 0; l < kW; ++l)
    m = maxNan(m, acc[l] + nan[l]);
  for (; i < n; ++i)
    m = maxNan(m, x[i]);
  return m;
}

void softmaxRows(const qc_f32_softmax_params &p, const float *x, float *y, int64_t o) {
  const int64_t n = p.extent;
  if (p.inner == 1) {
    const float *xr = x + o * n;
    float *yr = y + o * n;
    float m = maxOf(xr, n);
    for (int64_t i = 0; i < n; ++i)
      yr[i] = ma::expf(xr[i] - m);
    float inv = 1.0f / sumOf(yr, n);
    for (int64_t i = 0; i < n; ++i)
      yr[i] = yr[i] * inv;
    return;
  }
  // Softmax over a strided axis: one column at a time.
  for (int64_t j = 0; j < p.inner; ++j) {
    const float *xc = x + o * n * p.inner + j;
    float *yc = y + o * n * p.inner + j;
    float m = xc[0];
    for (int64_t k = 0; k < n; ++k)
      m = maxNan(m, xc[k * p.inner]);
    float s = 0.0f;
    for (int64_t k = 0; k < n; ++k) {
      float e = ma::expf(xc[k * p.inner] - m);
      yc[k * p.inner] = e;
      s += e;
    }
    float inv = 1.0f / s;
    for (int64_t k = 0; k < n; ++k)
      yc[k * p.inner] = yc[k * p.inner] * inv;
  }
}

void layerNormRow(const qc_f32_layernorm_params &p, const float *x, const float *scale,
                  const float *bias, float *y) {
  const int64_t n = p.cols;
  float mean = sumOf(x, n) / float(n);
  Vec acc = Vec{};
  int64_t i = 0;
  for (; i + kW <= n; i += kW) {
    Vec d = loadVec(x + i) - mean;
    acc += d * d;
  }
  float sq = 0.0f;
  for (int l = 0; l < kW; ++l)
    sq += acc[l];
  for (; i < n; ++i) {
    float d = x[i] - mean;
    sq += d * d;
  }
  float invStd = 1.0f / __builtin_sqrtf(sq / float(n) + p.epsilon);
  for (int64_t c = 0; c < n; ++c) {
    float v = (x[c] - mean) * invStd;
    y[c] = v * scale[c] + bias[c];
  }
}

void reduceOuter(const qc_f32_reduce_params &p, const float *x, float *y, int64_t o) {
  const float *xb = x + o * p.extent * p.inner;
  float *yb = y + o * p.inner;
  if (p.inner == 1) {
    if (p.kind == QC_F32_REDUCE_SUM || p.kind == QC_F32_REDUCE_MEAN) {
      float s = sumOf(xb, p.extent);
      yb[0] = p.kind == QC_F32_REDUCE_MEAN ? s / float(p.extent) : s;
      return;
    }
    float m = p.kind == QC_F32_REDUCE_MAX ? -__builtin_inff() : __builtin_inff();
    for (int64_t k = 0; k < p.extent; ++k)
      m = p.kind == QC_F32_REDUCE_MAX ? maxNan(m, xb[k]) : minNan(m, xb[k]);
    yb[0] = m;
    return;
  }
  // Rows of `inner` floats combined elementwise: vectorizes over inner.
  float init = p.kind == QC_F32_REDUCE_MAX   ? -__builtin_inff()
               : p.kind == QC_F32_REDUCE_MIN ? __builtin_inff()
                                             : 0.0f;
  for (int64_t j = 0; j < p.inner; ++j)
    yb[j] = init;
  for (int64_t k = 0; k < p.extent; ++k) {
    const float *row = xb + k * p.inner;
    switch (p.kind) {
    case QC_F32_REDUCE_MAX:
      for (int64_t j = 0; j < p.inner; ++j)
        yb[j] = maxNan(yb[j], row[j]);
      break;
    case QC_F32_REDUCE_MIN:
      for (int64_t j = 0; j < p.inner; ++j)
        yb[j] = minNan(yb[j], row[j]);
      break;
    default:
      for (int64_t j = 0; j < p.inner; ++j)
        yb[j] += row[j];
    }
  }
  if (p.kind == QC_F32_REDUCE_MEAN) {
    float inv = float(p.extent);
    for (int64_t j = 0; j < p.inner; ++j)
      yb[j] = yb[j] / inv;
  }
}

void avgPoolRow(const qc_f32_avgpool_params &p, const float *x, float *y, int64_t oh) {
  const int64_t c = p.channels;
  for (int64_t ow = 0; ow < p.out_w; ++ow) {
    float *yp = y + (oh * p.out_w + ow) * c;
    for (int64_t ch = 0; ch < c; ++ch)
      yp[ch] = 0.0f;
    int64_t taps = 0, padded = 0;
    for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
      int64_t ih = oh * p.stride_h + kh * p.dilation_h - p.pad_top;
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
        int64_t iw = ow * p.stride_w + kw * p.dilation_w - p.pad_left;
        bool insidePadded = ih >= -p.pad_top && ih < p.in_h + p.pad_bottom &&
                            iw >= -p.pad_left && iw < p.in_w + p.pad_right;
        padded += insidePadded;
        if (ih < 0 || ih >= p.in_h || iw < 0 || iw >= p.in_w)
          continue;
        ++taps;
        const float *xp = x + (ih * p.in_w + iw) * c;
        for (int64_t ch = 0; ch < c; ++ch)
          yp[ch] += xp[ch];
      }
    }
    int64_t count = p.count_include_pad ? padded : taps;
    float div = count ? float(count) : __builtin_nanf("");
    for (int64_t ch = 0; ch < c; ++ch)
      yp[ch] = count ? yp[ch] / div : div;
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(f32_softmax)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_softmax_params *>(params_);
  for (int64_t o = task_begin; o < task_end; ++o)
    softmaxRows(p, static_cast<const float *>(in[0]), static_cast<float *>(out[0]), o);
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_layernorm)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_layernorm_params *>(params_);
  int64_t r1 = task_end * p.rows_per_task;
  r1 = r1 < p.rows ? r1 : p.rows;
  for (int64_t r = task_begin * p.rows_per_task; r < r1; ++r)
    layerNormRow(p, static_cast<const float *>(in[0]) + r * p.cols,
                 static_cast<const float *>(consts[0]), static_cast<const float *>(consts[1]),
                 static_cast<float *>(out[0]) + r * p.cols);
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_batchnorm)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_batchnorm_params *>(params_);
  const float *x = static_cast<const float *>(in[0]);
  const float *cp = static_cast<const float *>(consts[0]);
  float *y = static_cast<float *>(out[0]);
  const int64_t ch = p.channels;
  int64_t rows = ndRows(p.nd);
  int64_t r1 = task_end * p.rows_per_task;
  r1 = r1 < rows ? r1 : rows;
  ndForEachRow(p.nd, task_begin * p.rows_per_task, r1,
               [&](const int64_t *off, int64_t n, const int64_t *s) {
                 float *o = y + off[0];
                 const float *xi = x + off[1];
                 const float *c = cp + off[2];
                 for (int64_t i = 0; i < n; ++i) {
                   float d = xi[i * s[1]] - c[i * s[2]];
                   d = d * c[ch + i * s[2]];
                   o[i * s[0]] = d + c[2 * ch + i * s[2]];
                 }
               });
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_reduce)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_reduce_params *>(params_);
  for (int64_t o = task_begin; o < task_end; ++o)
    reduceOuter(p, static_cast<const float *>(in[0]), static_cast<float *>(out[0]), o);
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_avgpool)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_avgpool_params *>(params_);
  for (int64_t oh = task_begin; oh < task_end; ++oh)
    avgPoolRow(p, static_cast<const float *>(in[0]), static_cast<float *>(out[0]), oh);
}
