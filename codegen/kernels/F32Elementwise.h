// Params of the fp32 elementwise kernels (codegen/kernels/F32Elementwise.cpp),
// shared with their emitter (codegen/emit/FloatElementwise.cpp): unary,
// binary and variadic (<= 3 inputs) math over a broadcast qc_nd_shape, and
// Cast between f32 / i32 / i64 / u8 / s8 / bool.
#pragma once

#include <stdint.h>

#include "codegen/kernels/Strided.h"

// The operation of qc_f32_elementwise. Variadic ops fold left to right:
// acc = in0; acc = op(acc, in_k) (Mean divides the sum by num_inputs).
enum qc_f32_op {
  QC_F32_COPY = 0,
  // Binary / variadic.
  QC_F32_ADD, QC_F32_SUB, QC_F32_MUL, QC_F32_DIV, QC_F32_POW, QC_F32_MIN,
  QC_F32_MAX, QC_F32_MEAN, QC_F32_PRELU,
  // Unary.
  QC_F32_NEG, QC_F32_ABS, QC_F32_SQRT, QC_F32_RECIPROCAL, QC_F32_EXP,
  QC_F32_LOG, QC_F32_ERF, QC_F32_TANH, QC_F32_SIGMOID, QC_F32_RELU,
  QC_F32_LEAKY_RELU, // alpha
  QC_F32_CLIP,       // alpha = min, beta = max (+-inf when absent)
  QC_F32_HARD_SIGMOID, // max(0, min(1, alpha x + beta))
  QC_F32_HARD_SWISH, QC_F32_GELU_ERF, QC_F32_GELU_TANH, QC_F32_FLOOR,
  QC_F32_CEIL, QC_F32_ROUND,
  QC_F32_POW_CONST, // x ** alpha for a constant scalar exponent
  QC_F32_OP_COUNT
};

// Where an input comes from.
enum { QC_F32_SRC_IN = 0, QC_F32_SRC_CONST = 1 };

// qc_f32_elementwise: out = op(in0[, in1[, in2]]) over nd (operand 0 = out,
// 1.. = inputs in order). Task space: units of `chunk` elements of an nd
// row (rows = all dims but the innermost, each split into chunks_per_row
// chunks), `units_per_task` units per task.
typedef struct qc_f32_elementwise_params {
  qc_nd_shape nd;
  int32_t op;         // qc_f32_op
  int32_t num_inputs; // 1..3
  int32_t src_kind[3];
  int32_t src_slot[3];
  float alpha, beta;
  int64_t chunk;
  int64_t chunks_per_row;
  int64_t units_per_task;
  int64_t total_units;
} qc_f32_elementwise_params;

// Element types of qc_cast.
enum qc_cast_type {
  QC_CAST_F32 = 0, QC_CAST_I32, QC_CAST_I64, QC_CAST_U8, QC_CAST_S8,
  QC_CAST_BOOL
};

// qc_cast: out = cast(in[0]) over nd (operand 0 = out, 1 = in) with ONNX /
// the interpreter's rules: float -> int truncates toward zero and
// saturates, NaN -> 0; float -> bool is x != 0 (NaN -> true); int -> float
// rounds to nearest even; int -> int wraps. Tasks: rows_per_task rows of nd.
typedef struct qc_cast_params {
  qc_nd_shape nd;
  int64_t rows_per_task;
  int32_t from, to; // qc_cast_type
} qc_cast_params;
