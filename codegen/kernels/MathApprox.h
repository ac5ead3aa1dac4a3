// Vectorizable fp32 exp, log, erf, erfc, tanh, sigmoid and GELU for kernel
// sources: branch-free scalar code (selects only) that the loop vectorizer
// turns into SIMD, no libm calls. Accuracy against the correctly rounded
// result (tests/kernels/F32ElementwiseTest.cpp; over all floats by a stride-97
// sweep against double libm while writing it): a few ulp, relative
// error < 1e-6 over the whole float range, denormals, +-inf and NaN included.
#pragma once

#include <stdint.h>

namespace {

namespace mathapprox {

// Everything is inlined into the kernels' loops so they vectorize.
#define QC_MATH_INLINE __attribute__((always_inline)) inline

QC_MATH_INLINE float bitsToFloat(uint32_t bits) { return __builtin_bit_cast(float, bits); }
QC_MATH_INLINE uint32_t floatToBits(float x) { return __builtin_bit_cast(uint32_t, x); }

// 2^k for an integer k in [-126, 127], built from the exponent bits.
QC_MATH_INLINE float pow2i(int32_t k) { return bitsToFloat(uint32_t(k + 127) << 23); }

// Round to nearest, ties to even, for |x| < 2^22 (the 1.5 * 2^23 trick:
// SSE2 has no round instruction, and rintf would be a libm call there).
QC_MATH_INLINE float roundSmall(float x) {
  const float kMagic = 12582912.0f;
  float t = x + kMagic;
  return t - kMagic;
}

QC_MATH_INLINE float copySign(float magnitude, float sign) {
  return bitsToFloat((floatToBits(magnitude) & 0x7fffffffu) |
                     (floatToBits(sign) & 0x80000000u));
}

QC_MATH_INLINE float absf(float x) { return bitsToFloat(floatToBits(x) & 0x7fffffffu); }

QC_MATH_INLINE bool isNan(float x) { return x != x; }

// Round half to even for any float (ONNX Round); keeps -0.0, inf and NaN.
QC_MATH_INLINE float roundEven(float x) {
  float r = roundSmall(x);
  r = absf(x) < 4194304.0f ? r : x; // |x| >= 2^22 is already integral
  return copySign(r, x);
}

QC_MATH_INLINE float floorf(float x) {
  float r = roundSmall(x);
  r = r > x ? r - 1.0f : r;
  r = absf(x) < 4194304.0f ? r : x;
  return copySign(r, x);
}

QC_MATH_INLINE float ceilf(float x) {
  float r = roundSmall(x);
  r = r < x ? r + 1.0f : r;
  r = absf(x) < 4194304.0f ? r : x;
  return copySign(r, x);
}

// e^x: x = n ln2 + r, |r| <= ln2/2, e^r by a degree-7 polynomial (Cephes
// coefficients), then scaled by 2^n in two steps so results in the
// denormal range are rounded once. NaN propagates; overflow gives +inf.
QC_MATH_INLINE float expf(float x) {
  float xc = x < -104.0f ? -104.0f : x;
  xc = xc > 89.0f ? 89.0f : xc;
  float n = roundSmall(xc * 1.44269504088896341f);
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  float r2 = r * r;
  float y = p * r2;
  y = y + r;
  y = y + 1.0f;
  int32_t k = int32_t(n);
  int32_t k1 = k / 2;
  int32_t k2 = k - k1;
  y = y * pow2i(k1);
  return y * pow2i(k2);
}

// ln x: x = 2^e m with m in [sqrt(1/2), sqrt(2)), ln m = f - f^2/2 + f^3 P(f)
// with f = m - 1 (Cephes coefficients), plus e ln2 in two parts.
QC_MATH_INLINE float logf(float x) {
  bool denormal = x < 1.17549435e-38f;
  float xs = denormal ? x * 8388608.0f : x; // 2^23
  float eAdjust = denormal ? -23.0f : 0.0f;
  uint32_t bits = floatToBits(xs);
  float e = float(int32_t(bits >> 23) - 127) + eAdjust;
  float m = bitsToFloat((bits & 0x007fffffu) | 0x3f800000u);
  bool big = m > 1.41421356f;
  m = big ? m * 0.5f : m;
  e = big ? e + 1.0f : e;
  float f = m - 1.0f;
  float p = 7.0376836292e-2f;
  p = p * f - 1.1514610310e-1f;
  p = p * f + 1.1676998740e-1f;
  p = p * f - 1.2420140846e-1f;
  p = p * f + 1.4249322787e-1f;
  p = p * f - 1.6668057665e-1f;
  p = p * f + 2.0000714765e-1f;
  p = p * f - 2.4999993993e-1f;
  p = p * f + 3.3333331174e-1f;
  float f2 = f * f;
  float y = p * f2;
  y = y * f;
  y = y + e * -2.12194440e-4f;
  y = y - 0.5f * f2;
  y = y + f;
  y = y + e * 0.693359375f;
  // Special values: log(+inf) = inf, log(0) = -inf, log(x < 0) = NaN.
  y = x == __builtin_inff() ? x : y;
  y = x == 0.0f ? -__builtin_inff() : y;
  y = x < 0.0f ? __builtin_nanf("") : y;
  return isNan(x) ? x : y;
}

// erfc(z) for z >= 0 given z^2 = z2Hi + z2Lo exactly: Numerical Recipes'
// erfcc (relative error < 1.2e-7), with exp(-z^2) taken as
// exp(-z2Hi) * exp(-z2Lo + poly) so the large exponent adds no rounding.
QC_MATH_INLINE float erfcNonNegative(float z, float z2Hi, float z2Lo) {
  float t = 1.0f / (1.0f + 0.5f * z);
  float p = 0.17087277f;
  p = p * t - 0.82215223f;
  p = p * t + 1.48851587f;
  p = p * t - 1.13520398f;
  p = p * t + 0.27886807f;
  p = p * t - 0.18628806f;
  p = p * t + 0.09678418f;
  p = p * t + 0.37409196f;
  p = p * t + 1.00002368f;
  p = p * t - 1.26551223f;
  float small = p - z2Lo;
  return t * expf(-z2Hi) * expf(small);
}

// x * x as an exact sum hi + lo (Dekker's product with Veltkamp splitting;
// each step its own statement so nothing is contracted into an FMA).
QC_MATH_INLINE void squareExact(float x, float &hi, float &lo) {
  hi = x * x;
  float c = x * 4097.0f;
  float xh = c - (c - x);
  float xl = x - xh;
  float a = xh * xh;
  float e = a - hi;
  float b = xh * xl;
  e = e + b;
  e = e + b;
  float d = xl * xl;
  lo = e + d;
}

// erf(z) for |z| < 0.5: z * Taylor series in z^2 (terms below 1e-9 dropped).
QC_MATH_INLINE float erfSmall(float z) {
  float s = z * z;
  float p = -1.0f / 75600.0f; // (-1)^n / (n! (2n+1)), n = 7
  p = p * s + 1.0f / 9360.0f;
  p = p * s - 1.0f / 1320.0f;
  p = p * s + 1.0f / 216.0f;
  p = p * s - 1.0f / 42.0f;
  p = p * s + 1.0f / 10.0f;
  p = p * s - 1.0f / 3.0f;
  p = p * s + 1.0f;
  float y = p * 1.12837916709551257f;
  return y * z;
}

QC_MATH_INLINE float erff(float x) {
  float z = absf(x);
  float zc = z > 4.0f ? 4.0f : z; // erf rounds to 1 beyond 3.9
  float hi, lo;
  squareExact(zc, hi, lo);
  float large = 1.0f - erfcNonNegative(zc, hi, lo);
  float y = z < 0.5f ? erfSmall(z) : large;
  y = copySign(y, x);
  return isNan(x) ? x : y;
}

// tanh: an odd minimax-fit polynomial for |x| < 0.625 (relative error
// 2e-10), 1 - 2 / (e^2|x| + 1) above; +-1 beyond 9.1.
QC_MATH_INLINE float tanhf(float x) {
  float z = absf(x);
  float s = x * x;
  float p = 2.148984114e-03f;
  p = p * s - 8.184661678e-03f;
  p = p * s + 2.170400040e-02f;
  p = p * s - 5.394745417e-02f;
  p = p * s + 1.333321250e-01f;
  p = p * s - 3.333333101e-01f;
  float small = p * s;
  small = small * z;
  small = small + z;
  float zc = z > 10.0f ? 10.0f : z;
  float e = expf(2.0f * zc);
  float large = 1.0f - 2.0f / (e + 1.0f);
  float y = z < 0.625f ? small : large;
  y = copySign(y, x);
  return isNan(x) ? x : y;
}

// 1 / (1 + e^-x), with e^-|x| so the negative side keeps its relative
// accuracy down to the denormals.
QC_MATH_INLINE float sigmoidf(float x) {
  float e = expf(-absf(x));
  float r = 1.0f / (1.0f + e);
  float y = x < 0.0f ? e * r : r;
  return isNan(x) ? x : y;
}

// GELU, erf form: x/2 (1 + erf(x/sqrt2)). The negative side is x/2 erfc(|z|)
// (no cancellation); z^2 = x^2/2 exactly, so x/sqrt2's rounding does not
// enter the exponent.
QC_MATH_INLINE float geluErf(float x) {
  float z = x * 0.707106781186547524f;
  float az = absf(z);
  float xc = absf(x) > 20.0f ? 20.0f : absf(x);
  float hi, lo;
  squareExact(xc, hi, lo);
  hi = hi * 0.5f;
  lo = lo * 0.5f;
  float azc = az > 14.2f ? 14.2f : az;
  float erfc = erfcNonNegative(azc, hi, lo);
  float large = x < 0.0f ? erfc : 2.0f - erfc;
  float small = 1.0f + erfSmall(z);
  float factor = az < 0.5f ? small : large;
  float y = 0.5f * x;
  y = y * factor;
  return isNan(x) ? x : y;
}

// GELU, tanh form: x/2 (1 + tanh(u)) = x sigmoid(2u),
// u = sqrt(2/pi) (x + 0.044715 x^3): no cancellation for negative x. 2u is
// formed in double and carried as hi + lo into e^(-|2u|), since its
// rounding error would be amplified by |2u| (up to ~100) in the tail.
QC_MATH_INLINE float geluTanh(float x) {
  double xd = x;
  double x3 = xd * xd;
  x3 = x3 * xd;
  double inner = 0.044715 * x3;
  inner = inner + xd;
  double u2 = inner * 1.5957691216057308; // 2 sqrt(2/pi)
  double negAbs = u2 < 0.0 ? u2 : -u2;
  negAbs = negAbs < -120.0 ? -120.0 : negAbs;
  float hi = float(negAbs);
  float lo = float(negAbs - double(hi));
  float e = expf(hi);
  float corr = 1.0f + lo;
  e = e * corr;
  float r = 1.0f / (1.0f + e);
  float s = u2 < 0.0 ? e * r : r;
  float y = x * s;
  return isNan(x) ? x : y;
}

} // namespace mathapprox

} // namespace
