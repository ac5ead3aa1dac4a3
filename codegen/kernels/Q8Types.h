// Element type codes in the params structs of the int8 kernel families
// (dwconv, elementwise, quantize, pool): C, shared by kernels and emitters.
#pragma once

#include <stdint.h>

enum qc_q8_type {
  QC_Q8_U8 = 0,
  QC_Q8_S8 = 1,
  QC_Q8_F32 = 2,
  QC_Q8_I32 = 3,
};

#ifdef __cplusplus
namespace {

// Calls fn(T{}) with the C++ type of `code` (u8, s8, f32, i32).
template <class Fn> inline void withQ8Type(int32_t code, Fn &&fn) {
  switch (code) {
  case QC_Q8_U8: fn(uint8_t{}); break;
  case QC_Q8_S8: fn(int8_t{}); break;
  case QC_Q8_F32: fn(float{}); break;
  default: fn(int32_t{}); break;
  }
}

} // namespace
#endif
