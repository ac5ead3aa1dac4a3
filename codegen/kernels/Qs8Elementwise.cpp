// int8 elementwise kernels: qc.QAdd / qc.QMul with rescale, qc.Requantize and
// qc.QLut, over coalesced n-d shapes with broadcasting strides. Rows whose
// inner strides are 1 (or 0: broadcast) get loops clang vectorizes.
#include "codegen/kernels/Qs8Elementwise.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"
#include "codegen/kernels/RowChunks.h"

namespace {

// |v| below this bound (known from the multipliers and the operand ranges)
// needs no clamp before rounding.
constexpr float kSmallBound = 2097152.0f; // 2^21

template <class Y> inline void storeScaled(Y *y, float v, int32_t zp, int32_t lo, int32_t hi) {
  if constexpr (sizeof(Y) == 4)
    *y = v;
  else
    *y = static_cast<Y>(roundAndShift(v, zp, lo, hi));
}

// storeScaled for |v| < 2^21: v + 1.5 * 2^23 holds rne(v) in the low
// mantissa bits (the add rounds half to even), so the bits minus those of
// 1.5 * 2^23 are rne(v): one add and one integer subtract (folding zp).
template <class Y>
inline void storeScaledSmall(Y *y, float v, int32_t zp, int32_t lo, int32_t hi) {
  if constexpr (sizeof(Y) == 4) {
    *y = v;
  } else {
    float shifted = v + 12582912.0f;
    int32_t q = __builtin_bit_cast(int32_t, shifted) - (0x4B400000 - zp);
    *y = static_cast<Y>(clampInt(q, lo, hi));
  }
}

inline float absOf(float v) { return v < 0 ? -v : v; }

// One row of n elements; StrideA / StrideB: 1 contiguous, 0 broadcast, -1
// the runtime strides sa / sb.
template <bool IsMul, int StrideA, int StrideB, bool Small, class A, class B, class Y>
inline void binaryRowAs(const qc_qs8_binary_params &p, const A *a, const B *b, Y *y, int64_t n,
                        int64_t sa, int64_t sb) {
  const int64_t stepA = StrideA >= 0 ? StrideA : sa, stepB = StrideB >= 0 ? StrideB : sb;
  for (int64_t i = 0; i < n; ++i) {
    int32_t da = static_cast<int32_t>(a[i * stepA]) - p.a_zero_point;
    int32_t db = static_cast<int32_t>(b[i * stepB]) - p.b_zero_point;
    float v;
    if constexpr (IsMul) {
      v = static_cast<float>(da * db) * p.a_multiplier;
    } else {
      float fa = static_cast<float>(da) * p.a_multiplier;
      float fb = static_cast<float>(db) * p.b_multiplier;
      v = fa + fb;
    }
    if constexpr (Small)
      storeScaledSmall(y + i, v, p.out_zero_point, p.out_min, p.out_max);
    else
      storeScaled(y + i, v, p.out_zero_point, p.out_min, p.out_max);
  }
}

// |a - za| and |b - zb| are at most 255 (8-bit values and zero points), so
// the bound is a constant once the params are inlined.
template <bool IsMul, int StrideA, int StrideB, class A, class B, class Y>
inline void binaryRow(const qc_qs8_binary_params &p, const A *a, const B *b, Y *y, int64_t n,
                      int64_t sa, int64_t sb) {
  float bound = IsMul ? 65025.0f * absOf(p.a_multiplier)
                      : 255.0f * (absOf(p.a_multiplier) + absOf(p.b_multiplier));
  if (bound < kSmallBound)
    binaryRowAs<IsMul, StrideA, StrideB, true>(p, a, b, y, n, sa, sb);
  else
    binaryRowAs<IsMul, StrideA, StrideB, false>(p, a, b, y, n, sa, sb);
}

template <bool IsMul, class A, class B, class Y>
void binaryTyped(const qc_qs8_binary_params &p, const void *av, const void *bv, void *yv,
                 int64_t rowBegin, int64_t rowEnd) {
  const A *a = static_cast<const A *>(av);
  const B *b = static_cast<const B *>(bv);
  Y *y = static_cast<Y *>(yv);
  ndForEachChunk(p.shape, p.row_chunk, rowBegin, rowEnd, [&](const int64_t *off, int64_t n, const int64_t *st) {
    Y *yr = y + off[0];
    const A *ar = a + off[1];
    const B *br = b + off[2];
    if (st[1] == 1 && st[2] == 1)
      binaryRow<IsMul, 1, 1>(p, ar, br, yr, n, 1, 1);
    else if (st[1] == 1 && st[2] == 0)
      binaryRow<IsMul, 1, 0>(p, ar, br, yr, n, 1, 0);
    else if (st[1] == 0 && st[2] == 1)
      binaryRow<IsMul, 0, 1>(p, ar, br, yr, n, 0, 1);
    else
      binaryRow<IsMul, -1, -1>(p, ar, br, yr, n, st[1], st[2]);
  });
}

template <bool IsMul, class A, class B>
void binaryOut(const qc_qs8_binary_params &p, const void *a, const void *b, void *y, int64_t rb,
               int64_t re) {
  switch (p.out_type) {
  case QC_Q8_U8: binaryTyped<IsMul, A, B, uint8_t>(p, a, b, y, rb, re); break;
  case QC_Q8_S8: binaryTyped<IsMul, A, B, int8_t>(p, a, b, y, rb, re); break;
  default: binaryTyped<IsMul, A, B, float>(p, a, b, y, rb, re); break;
  }
}

template <bool IsMul>
void binaryOp(const qc_qs8_binary_params &p, const void *a, const void *b, void *y, int64_t rb,
              int64_t re) {
  bool au = p.a_type == QC_Q8_U8, bu = p.b_type == QC_Q8_U8;
  if (au && bu)
    binaryOut<IsMul, uint8_t, uint8_t>(p, a, b, y, rb, re);
  else if (au)
    binaryOut<IsMul, uint8_t, int8_t>(p, a, b, y, rb, re);
  else if (bu)
    binaryOut<IsMul, int8_t, uint8_t>(p, a, b, y, rb, re);
  else
    binaryOut<IsMul, int8_t, int8_t>(p, a, b, y, rb, re);
}

// |x - zx| <= 255: Small when the multiplier keeps the product below 2^21.
template <bool Small, class X, class Y>
inline void requantizeRow(const qc_qs8_requantize_params &p, const X *xr, Y *yr, int64_t n,
                          int64_t step) {
  for (int64_t i = 0; i < n; ++i) {
    int32_t acc = static_cast<int32_t>(xr[i * step]) - p.in_zero_point;
    float v = static_cast<float>(acc) * p.multiplier;
    if constexpr (Small)
      storeScaledSmall(yr + i, v, p.out_zero_point, p.out_min, p.out_max);
    else
      storeScaled(yr + i, v, p.out_zero_point, p.out_min, p.out_max);
  }
}

template <class X, class Y>
void requantizeTyped(const qc_qs8_requantize_params &p, const void *xv, void *yv, int64_t rb,
                     int64_t re) {
  const X *x = static_cast<const X *>(xv);
  Y *y = static_cast<Y *>(yv);
  ndForEachChunk(p.shape, p.row_chunk, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
    const X *xr = x + off[1];
    Y *yr = y + off[0];
    if (st[1] == 1 && 255.0f * absOf(p.multiplier) < kSmallBound)
      requantizeRow<true>(p, xr, yr, n, 1);
    else if (st[1] == 1)
      requantizeRow<false>(p, xr, yr, n, 1);
    else
      requantizeRow<false>(p, xr, yr, n, st[1]);
  });
}

template <class X>
void requantizeIn(const qc_qs8_requantize_params &p, const void *x, void *y, int64_t rb,
                  int64_t re) {
  switch (p.out_type) {
  case QC_Q8_U8: requantizeTyped<X, uint8_t>(p, x, y, rb, re); break;
  case QC_Q8_S8: requantizeTyped<X, int8_t>(p, x, y, rb, re); break;
  default: requantizeTyped<X, float>(p, x, y, rb, re); break;
  }
}

template <class X, class Y>
void lutTyped(const qc_q8_lut_params &p, const void *tablev, const void *xv, void *yv, int64_t rb,
              int64_t re) {
  const Y *table = static_cast<const Y *>(tablev);
  const X *x = static_cast<const X *>(xv);
  Y *y = static_cast<Y *>(yv);
  constexpr int32_t first = static_cast<X>(-1) < 0 ? -128 : 0;
  ndForEachChunk(p.shape, p.row_chunk, rb, re, [&](const int64_t *off, int64_t n, const int64_t *st) {
    const X *xr = x + off[1];
    Y *yr = y + off[0];
    const int64_t step = st[1];
    for (int64_t i = 0; i < n; ++i)
      yr[i] = table[static_cast<int32_t>(xr[i * step]) - first];
  });
}

template <class X>
void lutIn(const qc_q8_lut_params &p, const void *table, const void *x, void *y, int64_t rb,
           int64_t re) {
  if (p.out_bytes == 1)
    lutTyped<X, uint8_t>(p, table, x, y, rb, re);
  else
    lutTyped<X, uint32_t>(p, table, x, y, rb, re);
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(qs8_binary)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_qs8_binary_params *>(params_);
  int next = 0;
  const void *a = p.a_const ? consts[p.a_const - 1] : in[next++];
  const void *b = p.b_const ? consts[p.b_const - 1] : in[next++];
  if (p.op == QC_QS8_MUL)
    binaryOp<true>(p, a, b, out[0], task_begin, task_end);
  else
    binaryOp<false>(p, a, b, out[0], task_begin, task_end);
}

QC_KERNEL_EXTERN void QC_KERNEL(qs8_requantize)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_qs8_requantize_params *>(params_);
  if (p.in_type == QC_Q8_U8)
    requantizeIn<uint8_t>(p, in[0], out[0], task_begin, task_end);
  else
    requantizeIn<int8_t>(p, in[0], out[0], task_begin, task_end);
}

QC_KERNEL_EXTERN void QC_KERNEL(q8_lut)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_q8_lut_params *>(params_);
  if (p.in_type == QC_Q8_U8)
    lutIn<uint8_t>(p, consts[0], in[0], out[0], task_begin, task_end);
  else
    lutIn<int8_t>(p, consts[0], in[0], out[0], task_begin, task_end);
}
