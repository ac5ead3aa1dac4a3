// Scalar building blocks of qc's int8 kernels (docs/quantized-ir.md): the one
// fp32 requantization and ONNX quantization, written as plain C++ that clang
// vectorizes on every ISA without libm calls. Included by kernel sources only.
#pragma once

#include <stdint.h>

#include "codegen/kernels/KernelAbi.h"

namespace {

// Rounding is exact for |x| <= 2^22; every caller clamps to that range first
// (results are clamped to an 8- or 16-bit range afterwards, so the clamp
// never changes them).
constexpr float kRoundLimit = 4194304.0f;

// rne(x) for |x| <= 2^22 (and NaN-free input), in the default rounding mode.
inline float roundHalfEven(float x) {
#if QC_ISA_GENERIC
  // SSE2 has no roundps: adding 1.5 * 2^23 pushes the fraction out of the
  // mantissa with the FPU's round-half-even, subtracting restores the value.
  const float magic = 12582912.0f;
  float shifted = x + magic;
  return shifted - magic;
#else
  return __builtin_rintf(x);
#endif
}

// Clamps to [-2^22, 2^22]; NaN becomes -2^22 (QuantizeLinear maps a NaN
// quotient to the type's minimum).
inline float clampForRounding(float x) {
  float lo = x > -kRoundLimit ? x : -kRoundLimit;
  return lo < kRoundLimit ? lo : kRoundLimit;
}

inline int32_t clampInt(int32_t v, int32_t lo, int32_t hi) {
  v = v > lo ? v : lo;
  return v < hi ? v : hi;
}

// clamp(sat(rne(scaled)) + zp, lo, hi): the tail of every requantization.
inline int32_t roundAndShift(float scaled, int32_t zeroPoint, int32_t lo, int32_t hi) {
  int32_t rounded = static_cast<int32_t>(roundHalfEven(clampForRounding(scaled)));
  return clampInt(rounded + zeroPoint, lo, hi);
}

// qy = clamp(sat(rne(float(acc) * m) + zp), lo, hi). The product is a
// separate statement so it is never contracted into an FMA.
inline int32_t requantize(int32_t acc, float multiplier, int32_t zeroPoint, int32_t lo,
                          int32_t hi) {
  float scaled = static_cast<float>(acc) * multiplier;
  return roundAndShift(scaled, zeroPoint, lo, hi);
}

} // namespace
