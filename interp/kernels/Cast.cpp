// Cast and the exact float/int conversions behind it: one-step rounding to
// f32/f16/bf16, saturating float-to-int truncation, wrapping int-to-int.
#include "interp/kernels/ElementwiseUtil.h"

#include <bit>
#include <cmath>
#include <limits>

namespace qc::interp::kernels {

using ir::ElemType;
using ir::Tensor;

namespace elementwise {

namespace {
// A binary float format: significand bits (with the implicit one), smallest
// normal exponent, largest finite value.
struct FloatFormat {
  int precision;
  int minExponent;
  double maxFinite;
};

FloatFormat formatOf(ElemType t) {
  switch (t) {
  case ElemType::F64:
    return {53, -1022, std::numeric_limits<double>::max()};
  case ElemType::F32:
    return {24, -126, double(std::numeric_limits<float>::max())};
  case ElemType::F16:
    return {11, -14, 65504.0};
  case ElemType::BF16:
    return {8, -126, 0x1.fep127};
  default:
    assert(false && "not a float type");
    return {53, -1022, std::numeric_limits<double>::max()};
  }
}
} // namespace

double roundToType(ElemType t, double value) {
  if (t == ElemType::F64 || !std::isfinite(value) || value == 0.0)
    return value;
  FloatFormat f = formatOf(t);
  // The spacing of representable values around `value` (fixed below the
  // smallest normal: subnormals), then round to a multiple of it. Scaling by
  // a power of two is exact, and nearbyint rounds ties to even.
  int exponent = std::max(std::ilogb(value), f.minExponent);
  double quantum = std::ldexp(1.0, exponent - (f.precision - 1));
  double rounded = std::nearbyint(value / quantum) * quantum;
  if (std::fabs(rounded) > f.maxFinite)
    return std::copysign(std::numeric_limits<double>::infinity(), value);
  return rounded;
}

double intToFloatType(ElemType t, bool negative, uint64_t magnitude) {
  FloatFormat f = formatOf(t);
  int bits = std::bit_width(magnitude);
  double rounded;
  if (bits <= f.precision) {
    rounded = double(magnitude); // exact
  } else {
    // Keep the top `precision` bits, round the rest half to even.
    int shift = bits - f.precision;
    uint64_t kept = magnitude >> shift;
    uint64_t rest = magnitude & ((uint64_t(1) << shift) - 1);
    uint64_t half = uint64_t(1) << (shift - 1);
    if (rest > half || (rest == half && (kept & 1)))
      ++kept;
    rounded = std::ldexp(double(kept), shift); // kept <= 2^53: exact
  }
  if (rounded > f.maxFinite)
    rounded = std::numeric_limits<double>::infinity();
  return negative ? -rounded : rounded;
}

int64_t floatToIntBits(double value, ElemType t) {
  assert(ir::isIntegerType(t) && "float-to-int conversion to a non-integer type");
  if (std::isnan(value))
    return 0;
  value = std::trunc(value);
  if (t == ElemType::U64) {
    if (value <= 0.0)
      return 0;
    if (value >= 0x1p64)
      return int64_t(std::numeric_limits<uint64_t>::max());
    return int64_t(uint64_t(value));
  }
  // double(elemTypeMax(I64)) is 2^63: values at or above it saturate.
  if (value <= double(ir::elemTypeMin(t)))
    return ir::elemTypeMin(t);
  if (value >= double(ir::elemTypeMax(t)))
    return ir::elemTypeMax(t);
  return int64_t(value);
}

} // namespace elementwise

llvm::Error evalCast(EvalContext &ctx) {
  using namespace elementwise;
  const Tensor &in = ctx.in(0);
  Tensor &out = ctx.out();
  ElemType from = in.elemType(), to = out.elemType();
  for (int64_t i = 0; i < out.numElements(); ++i) {
    if (ir::isFloatType(from)) {
      double v = in.getDouble(i);
      if (to == ElemType::Bool)
        out.setInt(i, v != 0.0); // NaN is true, as in numpy
      else if (ir::isFloatType(to))
        out.setDouble(i, roundToType(to, v));
      else
        out.setInt(i, floatToIntBits(v, to));
      continue;
    }
    // Integer or bool source: its bits (sign-extended for signed types).
    uint64_t bits = uint64_t(in.getInt(i));
    if (to == ElemType::Bool) {
      out.setInt(i, bits != 0);
    } else if (ir::isFloatType(to)) {
      bool negative = ir::isSignedType(from) && int64_t(bits) < 0;
      out.setDouble(i, intToFloatType(to, negative, negative ? uint64_t(0) - bits : bits));
    } else {
      out.setInt(i, int64_t(bits)); // wraps like a C cast (numpy astype)
    }
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
