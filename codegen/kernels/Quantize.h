// Params of QuantizeLinear (f32 -> u8/s8) and DequantizeLinear (u8/s8/i32 ->
// f32) kernels (Quantize.cpp), shared with codegen/emit/QuantizeEmit.cpp.
// The n-d shape has 4 operands: out, x, and the scale / zero point arrays
// (consts[0] f32, consts[1] int32), strided along the quantization axis
// (stride 0 everywhere for per-tensor). Tasks: rows of the shape.
#pragma once

#include "codegen/kernels/Q8Types.h"
#include "codegen/kernels/Strided.h"

// y = sat(rne(x / scale) + zp); a NaN quotient gives the type's minimum.
typedef struct qc_f32_q8_quantize_params {
  qc_nd_shape shape;
  int32_t out_type;
} qc_f32_q8_quantize_params;

// y = float(x - zp) * scale.
typedef struct qc_q8_f32_dequantize_params {
  qc_nd_shape shape;
  int32_t in_type;
} qc_q8_f32_dequantize_params;
