// Params of the int8 elementwise kernels (Qs8Elementwise.cpp): qc.QAdd,
// qc.QMul, qc.Requantize, qc.QLut, shared with codegen/emit/QElementwise.cpp.
// Each walks a coalesced n-d shape (Strided.h); tasks are chunks of
// row_chunk elements of its rows (RowChunks.h).
#pragma once

#include "codegen/kernels/Q8Types.h"
#include "codegen/kernels/Strided.h"

enum qc_qs8_binary_op { QC_QS8_ADD = 0, QC_QS8_MUL = 1 };

// QAdd: y = rne(a_multiplier * float(a - za) + b_multiplier * float(b - zb)) + zy
// QMul: y = rne(a_multiplier * float((a - za) * (b - zb))) + zy
// (an f32 result takes the value before rounding). Operands: out, a, b.
typedef struct qc_qs8_binary_params {
  qc_nd_shape shape;
  int64_t row_chunk;
  int32_t op; // qc_qs8_binary_op
  int32_t a_type, b_type, out_type; // qc_q8_type
  int32_t a_zero_point, b_zero_point, out_zero_point, out_min, out_max;
  float a_multiplier, b_multiplier;
  // 0: the operand is the next in[] entry; k > 0: it is constant, consts[k - 1].
  int32_t a_const, b_const;
} qc_qs8_binary_params;

// y = clamp(rne(float(x - zx) * multiplier) + zy) (f32 result: the product).
// Operands: out, x.
typedef struct qc_qs8_requantize_params {
  qc_nd_shape shape;
  int64_t row_chunk;
  int32_t in_type, out_type;
  int32_t in_zero_point, out_zero_point, out_min, out_max;
  float multiplier;
} qc_qs8_requantize_params;

// y = table[x - min(T_x)]; consts[0] the 256-entry table of out_bytes
// (1 or 4) elements. Operands: out, x.
typedef struct qc_q8_lut_params {
  qc_nd_shape shape;
  int64_t row_chunk;
  int32_t in_type, out_bytes;
} qc_q8_lut_params;
