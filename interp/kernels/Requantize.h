// qc's one requantization scheme (docs/quantized-ir.md): an fp32 multiplier
// M = float(inScale / outScale), qy = clamp(sat(rne(float(acc) * M) + zy), lo, hi).
// Shared by the reference kernels of the qc.* ops and their tests.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>

namespace qc::interp::kernels {

/// One fp32 multiply, written so that no compiler can fuse it with a
/// following add: the product of two floats is exact in double, so rounding
/// it to float once is the fp32 product.
inline float mulF32(float a, float b) { return float(double(a) * double(b)); }

/// One fp32 add. The double sum rounded to float is the fp32 sum: double
/// rounding is innocuous for + when 53 >= 2 * 24 + 2.
inline float addF32(float a, float b) { return float(double(a) + double(b)); }

/// The fp32 multiplier: the exact ratio computed in double, rounded once.
inline float requantMultiplier(double inScale, double outScale) {
  return float(inScale / outScale);
}

/// rne(float(acc) * M) + zeroPoint, clamped to [lo, hi] (a sub-range of the
/// output type, so this is also the saturation).
inline int64_t requantize(int64_t acc, float multiplier, int64_t zeroPoint, int64_t lo,
                          int64_t hi) {
  // float(acc) rounds to nearest even; nearbyint rounds half to even in the
  // default rounding mode.
  float rounded = std::nearbyint(mulF32(float(acc), multiplier));
  double shifted = double(rounded) + double(zeroPoint);
  return int64_t(std::clamp(shifted, double(lo), double(hi)));
}

} // namespace qc::interp::kernels
