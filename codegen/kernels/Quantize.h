// Params of QuantizeLinear (f32 -> u8/s8) and DequantizeLinear (u8/s8/i32 ->
// f32) kernels (Quantize.cpp), shared with codegen/emit/QuantizeEmit.cpp.
// The n-d shape has 4 operands: out, x, and the scale / zero point arrays
// (consts[0] f32, consts[1] int32), strided along the quantization axis
// (stride 0 everywhere for per-tensor). Tasks: QC_QUANTIZE_ROWS: chunks of
// row_chunk elements of the rows (RowChunks.h); QC_QUANTIZE_INTERLEAVE: the
// shape is [..., P, C] with x's unit stride along P, out's along C (planes
// -> channels-last, e.g. an NCHW graph input to NHWC) and parameters
// constant along P: the outer dims times blocks of QC_QUANTIZE_PIXELS.
#pragma once

#include "codegen/kernels/Q8Types.h"
#include "codegen/kernels/Strided.h"

enum { QC_QUANTIZE_ROWS = 0, QC_QUANTIZE_INTERLEAVE = 1 };
#define QC_QUANTIZE_PIXELS 1024
// The largest C of QC_QUANTIZE_INTERLEAVE (its inner loop runs over C).
#define QC_QUANTIZE_MAX_INTERLEAVE 8

// y = sat(rne(x / scale) + zp); a NaN quotient gives the type's minimum.
typedef struct qc_f32_q8_quantize_params {
  qc_nd_shape shape;
  int64_t row_chunk; // QC_QUANTIZE_ROWS: elements per task
  int32_t out_type;
  int32_t mode; // QC_QUANTIZE_*
} qc_f32_q8_quantize_params;

// y = float(x - zp) * scale.
typedef struct qc_q8_f32_dequantize_params {
  qc_nd_shape shape;
  int64_t row_chunk; // elements per task (RowChunks.h)
  int32_t in_type;
  int32_t pad_;
} qc_q8_f32_dequantize_params;
