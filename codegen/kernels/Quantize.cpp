// QuantizeLinear and DequantizeLinear kernels with ONNX semantics (as
// interp/kernels/Quant.cpp): the quotient x / scale is one fp32 division,
// rounded half to even; per-axis parameters are read through their strides.
#include "codegen/kernels/Quantize.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"

namespace {

template <class Y> struct TypeRange;
template <> struct TypeRange<uint8_t> { static constexpr int32_t lo = 0, hi = 255; };
template <> struct TypeRange<int8_t> { static constexpr int32_t lo = -128, hi = 127; };

template <class Y>
inline Y quantizeOne(float x, float scale, int32_t zeroPoint) {
  float quotient = x / scale;
  return static_cast<Y>(
      roundAndShift(quotient, zeroPoint, TypeRange<Y>::lo, TypeRange<Y>::hi));
}

template <class Y>
void quantizeTyped(const qc_f32_q8_quantize_params &p, const float *scales,
                   const int32_t *zeroPoints, const float *x, Y *y, int64_t rb, int64_t re) {
  ndForEachRow(p.shape, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
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
  ndForEachRow(p.shape, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
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
    quantizeTyped(p, scales, zps, x, static_cast<uint8_t *>(out[0]), task_begin, task_end);
  else
    quantizeTyped(p, scales, zps, x, static_cast<int8_t *>(out[0]), task_begin, task_end);
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
