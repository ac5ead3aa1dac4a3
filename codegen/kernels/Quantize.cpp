// QuantizeLinear and DequantizeLinear kernels with ONNX semantics (as
// interp/kernels/Quant.cpp): the quotient x / scale is one fp32 division,
// rounded half to even; per-axis parameters are read through their strides.
#include "codegen/kernels/Quantize.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"
#include "codegen/kernels/RowChunks.h"

namespace {

template <class Y> struct TypeRange;
template <> struct TypeRange<uint8_t> { static constexpr int32_t lo = 0, hi = 255; };
template <> struct TypeRange<int8_t> { static constexpr int32_t lo = -128, hi = 127; };

template <class Y> inline Y quantizeQuotient(float quotient, int32_t zeroPoint) {
  return static_cast<Y>(
      roundAndShift(quotient, zeroPoint, TypeRange<Y>::lo, TypeRange<Y>::hi));
}

// The quotient is one fp32 division (vdivps: measured faster here than a
// reciprocal with an exact FMA correction in double).
template <class Y> inline Y quantizeOne(float x, float scale, int32_t zeroPoint) {
  return quantizeQuotient<Y>(x / scale, zeroPoint);
}

template <class Y>
void quantizeTyped(const qc_f32_q8_quantize_params &p, const float *scales,
                   const int32_t *zeroPoints, const float *x, Y *y, int64_t rb, int64_t re) {
  ndForEachChunk(p.shape, p.row_chunk, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
    const float *xr = x + off[1];
    Y *yr = y + off[0];
    if (st[2] == 0 && st[1] == 1) {
      // Per-tensor along the row: the vectorized loop.
      float scale = scales[off[2]];
      int32_t zp = zeroPoints[off[3]];
      for (int64_t i = 0; i < n; ++i)
        yr[i] = quantizeOne<Y>(xr[i], scale, zp);
    } else {
      for (int64_t i = 0; i < n; ++i)
        yr[i] = quantizeOne<Y>(xr[i * st[1]], scales[off[2] + i * st[2]],
                               zeroPoints[off[3] + i * st[3]]);
    }
  });
}

// [..., P, C] planes to channels-last: per pixel, C values from C planes
// (C is a constant once the params are inlined: the inner loop unrolls and
// the pixel loop vectorizes with interleaved stores).
template <class Y>
void quantizeInterleaved(const qc_f32_q8_quantize_params &p, const float *scales,
                         const int32_t *zeroPoints, const float *x, Y *y, int64_t tb,
                         int64_t te) {
  const qc_nd_shape &s = p.shape;
  const int r = s.rank;
  const int64_t P = s.dims[r - 2], C = s.dims[r - 1];
  const int64_t osP = s.strides[0][r - 2], isC = s.strides[1][r - 1];
  const int64_t ssC = s.strides[2][r - 1], zsC = s.strides[3][r - 1];
  const int64_t blocks = (P + QC_QUANTIZE_PIXELS - 1) / QC_QUANTIZE_PIXELS;
  for (int64_t task = tb; task < te; ++task) {
    int64_t outer = task / blocks, block = task % blocks;
    int64_t off[QC_ND_MAX_OPERANDS];
    ndRowOffsets(s, outer, off, 2);
    const int64_t p0 = block * QC_QUANTIZE_PIXELS;
    const int64_t p1 = p0 + QC_QUANTIZE_PIXELS < P ? p0 + QC_QUANTIZE_PIXELS : P;
    float sc[QC_QUANTIZE_MAX_INTERLEAVE];
    int32_t zp[QC_QUANTIZE_MAX_INTERLEAVE];
    for (int64_t c = 0; c < C; ++c) {
      sc[c] = scales[off[2] + c * ssC];
      zp[c] = zeroPoints[off[3] + c * zsC];
    }
    const float *xs = x + off[1];
    Y *ys = y + off[0];
    for (int64_t i = p0; i < p1; ++i)
      for (int64_t c = 0; c < C; ++c)
        ys[i * osP + c] = quantizeOne<Y>(xs[i + c * isC], sc[c], zp[c]);
  }
}

template <class Y>
void quantizeAny(const qc_f32_q8_quantize_params &p, const float *scales,
                 const int32_t *zeroPoints, const float *x, Y *y, int64_t tb, int64_t te) {
  if (p.mode == QC_QUANTIZE_INTERLEAVE)
    quantizeInterleaved(p, scales, zeroPoints, x, y, tb, te);
  else
    quantizeTyped(p, scales, zeroPoints, x, y, tb, te);
}

template <class X> inline float dequantizeOne(X x, int32_t zeroPoint, float scale) {
  if constexpr (sizeof(X) == 4) {
    int64_t centered = static_cast<int64_t>(x) - zeroPoint;
    return static_cast<float>(centered) * scale;
  } else {
    int32_t centered = static_cast<int32_t>(x) - zeroPoint;
    return static_cast<float>(centered) * scale;
  }
}

template <class X>
void dequantizeTyped(const qc_q8_f32_dequantize_params &p, const float *scales,
                     const int32_t *zeroPoints, const X *x, float *y, int64_t rb, int64_t re) {
  ndForEachChunk(p.shape, p.row_chunk, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
    const X *xr = x + off[1];
    float *yr = y + off[0];
    if (st[2] == 0 && st[1] == 1) {
      float scale = scales[off[2]];
      int32_t zp = zeroPoints[off[3]];
      for (int64_t i = 0; i < n; ++i)
        yr[i] = dequantizeOne(xr[i], zp, scale);
    } else {
      for (int64_t i = 0; i < n; ++i)
        yr[i] = dequantizeOne(xr[i * st[1]], zeroPoints[off[3] + i * st[3]],
                              scales[off[2] + i * st[2]]);
    }
  });
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(f32_q8_quantize)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_q8_quantize_params *>(params_);
  const float *scales = static_cast<const float *>(consts[0]);
  const int32_t *zps = static_cast<const int32_t *>(consts[1]);
  const float *x = static_cast<const float *>(in[0]);
  if (p.out_type == QC_Q8_U8)
    quantizeAny(p, scales, zps, x, static_cast<uint8_t *>(out[0]), task_begin, task_end);
  else
    quantizeAny(p, scales, zps, x, static_cast<int8_t *>(out[0]), task_begin, task_end);
}

QC_KERNEL_EXTERN void QC_KERNEL(q8_f32_dequantize)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_q8_f32_dequantize_params *>(params_);
  const float *scales = static_cast<const float *>(consts[0]);
  const int32_t *zps = static_cast<const int32_t *>(consts[1]);
  float *y = static_cast<float *>(out[0]);
  switch (p.in_type) {
  case QC_Q8_U8:
    dequantizeTyped(p, scales, zps, static_cast<const uint8_t *>(in[0]), y, task_begin, task_end);
    break;
  case QC_Q8_S8:
    dequantizeTyped(p, scales, zps, static_cast<const int8_t *>(in[0]), y, task_begin, task_end);
    break;
  default:
    dequantizeTyped(p, scales, zps, static_cast<const int32_t *>(in[0]), y, task_begin, task_end);
    break;
  }
}
