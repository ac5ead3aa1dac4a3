// Params of the row kernels of qc.QSoftmax and qc.QLayerNorm
// (codegen/kernels/Norm.cpp), shared with codegen/emit/NormEmit.cpp. int8 or
// f32 in, int8 or f32 out, fp32 inside: the input is dequantized as
// DequantizeLinear does, the result quantized as QuantizeLinear does.
#pragma once

#include <stdint.h>

enum { QC_NORM_U8 = 0, QC_NORM_S8 = 1, QC_NORM_F32 = 2 };

typedef struct qc_norm_io {
  int32_t in_kind, out_kind; // QC_NORM_*
  int32_t in_zp, out_zp;
  float in_scale, out_scale; // unused for f32 sides
} qc_norm_io;

// Softmax over `extent` elements spaced `inner` apart; one task per row,
// rows = outer * inner (row r starts at (r / inner) * extent * inner +
// r % inner).
typedef struct qc_softmax_params {
  qc_norm_io io;
  int64_t extent, inner;
} qc_softmax_params;

// LayerNormalization of contiguous rows of `cols` elements; consts[0] is
// the fp32 scale [cols], consts[1] the fp32 bias [cols] when has_bias (both
// dequantized and broadcast at compile time). One task per row.
typedef struct qc_layernorm_params {
  qc_norm_io io;
  int64_t cols;
  float epsilon;
  int32_t has_bias;
} qc_layernorm_params;
