// Helpers of the elementwise reference kernels: element access in a compute
// type (double, int64 or uint64), exact rounding to each float type, and the
// float/int conversions Cast defines.
#pragma once

#include <cstdint>
#include <type_traits>

#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels::elementwise {

/// `value` rounded (to nearest, ties to even) to the float type `t`, in one
/// step: f16/bf16 are not rounded through f32 first, so no double rounding.
/// Overflow gives +-inf, NaN stays NaN.
double roundToType(ir::ElemType t, double value);

/// An integer (given as sign and magnitude) rounded to the float type `t`
/// in one step (ties to even; overflow gives +-inf).
double intToFloatType(ir::ElemType t, bool negative, uint64_t magnitude);

/// Float to integer type `t` (not bool): truncates toward zero, saturates to
/// the type's range, NaN gives 0. Returns the value's bits as int64 (u64
/// values above INT64_MAX wrap, as Tensor::setInt expects).
int64_t floatToIntBits(double value, ir::ElemType t);

/// Calls f.template operator()<C>() with the compute type of element type t:
/// double for float types, int64_t for signed integers, uint64_t for
/// unsigned integers and bool.
template <typename F> decltype(auto) dispatchCompute(ir::ElemType t, F &&f) {
  if (ir::isFloatType(t))
    return f.template operator()<double>();
  if (ir::isSignedType(t))
    return f.template operator()<int64_t>();
  return f.template operator()<uint64_t>();
}

/// Element i of t in compute type C (exact for every type).
template <typename C> C load(const ir::Tensor &t, int64_t i) {
  if constexpr (std::is_floating_point_v<C>)
    return t.getDouble(i);
  else
    return C(t.getInt(i)); // u64 keeps its bits
}

/// Stores a compute-type value: floats round to the element type, integers
/// wrap like a C cast.
inline void store(ir::Tensor &t, int64_t i, double v) {
  t.setDouble(i, roundToType(t.elemType(), v));
}
inline void store(ir::Tensor &t, int64_t i, int64_t v) { t.setInt(i, v); }
inline void store(ir::Tensor &t, int64_t i, uint64_t v) {
  t.setInt(i, int64_t(v));
}

/// An intermediate result as the element type holds it: floats round,
/// integers are kept (wrapping commutes with + - *).
template <typename C> C roundStep(ir::ElemType t, C v) {
  if constexpr (std::is_floating_point_v<C>)
    return roundToType(t, v);
  else
    return v;
}

} // namespace qc::interp::kernels::elementwise
