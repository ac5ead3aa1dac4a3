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
