// Params of the fp32 normalization, reduction and pooling kernels
// (codegen/kernels/F32Norm.cpp), shared with their emitters
// (codegen/emit/FloatReduce.cpp).
#pragma once

#include <stdint.h>

#include "codegen/kernels/Strided.h"

// qc_f32_softmax: x, y viewed as [outer][extent][inner] (row-major);
// y = exp(x - max) / sum over the extent axis. Tasks: outer.
typedef struct qc_f32_softmax_params {
  int64_t outer, extent, inner;
} qc_f32_softmax_params;

// qc_f32_layernorm: x, y as [rows][cols]; y = (x - mean) / sqrt(var + eps)
// * scale[c] + bias[c] (consts[0] = scale, consts[1] = bias, cols floats
// each, expanded from their broadcast shapes). Tasks: rows_per_task rows.
typedef struct qc_f32_layernorm_params {
  int64_t rows, cols, rows_per_task;
  float epsilon;
  int32_t pad_;
} qc_f32_layernorm_params;

// qc_f32_batchnorm: y = (x - mean[c]) * a[c] + bias[c] over nd (operand 0 =
// y, 1 = x, 2 = the channel of the element as an offset into consts[0] =
// [mean | a | bias], `channels` floats each, a = scale / sqrt(var + eps)).
// Tasks: rows_per_task rows of nd.
typedef struct qc_f32_batchnorm_params {
  qc_nd_shape nd;
  int64_t channels;
  int64_t rows_per_task;
} qc_f32_batchnorm_params;

enum { QC_F32_REDUCE_SUM = 0, QC_F32_REDUCE_MEAN, QC_F32_REDUCE_MAX, QC_F32_REDUCE_MIN };

// qc_f32_reduce: x as [outer][extent][inner] -> y [outer][inner]. Tasks:
// outer.
typedef struct qc_f32_reduce_params {
  int64_t outer, extent, inner;
  int32_t kind; // QC_F32_REDUCE_*
  int32_t pad_;
} qc_f32_reduce_params;

// qc_f32_avgpool: NHWC average pool of one sample (GlobalAveragePool is the
// window covering the plane). count_include_pad counts taps inside the
// explicitly padded input; otherwise only taps inside the input. Tasks:
// output rows.
typedef struct qc_f32_avgpool_params {
  int64_t in_h, in_w, channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
  int32_t count_include_pad;
  int32_t pad_;
} qc_f32_avgpool_params;
