// Params of the pooling kernels (Qs8Pool.cpp): qc.QAveragePool, MaxPool
// (u8/s8/f32), qc.QGlobalAveragePool and qc.QReduceMean, shared with
// codegen/emit/PoolEmit.cpp.
#pragma once

#include "codegen/kernels/Q8Types.h"

// A 2-d window over NHWC activations (one sample). Tasks: output rows.
typedef struct qc_pool2d_window {
  int64_t in_h, in_w, channels, out_h, out_w;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left, pad_bottom, pad_right;
} qc_pool2d_window;

// acc = sum over in-bounds taps of (x - zx); n = taps in the explicitly
// padded input (count_include_pad) or in-bounds taps; the multiplier is
// float(in_scale / n / out_scale) (f32 result: float(in_scale / n)).
typedef struct qc_qs8_avgpool2d_params {
  qc_pool2d_window window;
  double in_scale, out_scale; // out_scale 0: f32 result
  int32_t count_include_pad;
  int32_t in_type, out_type;
  int32_t in_zero_point, out_zero_point, out_min, out_max;
} qc_qs8_avgpool2d_params;

// The first maximum over in-bounds taps (NaN skipped unless all taps are
// NaN); a window without taps gives the type's lowest value.
typedef struct qc_maxpool2d_params {
  qc_pool2d_window window;
  int32_t type; // u8, s8, f32
} qc_maxpool2d_params;

// y[c] = requantize(sum_s (x[s, c] - zx)) over `spatial` positions;
// element (s, c) at s * spatial_stride + c * channel_stride. Tasks: blocks
// of 64 channels.
typedef struct qc_qs8_global_avgpool_params {
  int64_t channels, spatial, channel_stride, spatial_stride;
  float multiplier;
  int32_t in_type, out_type;
  int32_t in_zero_point, out_zero_point, out_min, out_max;
} qc_qs8_global_avgpool_params;

#define QC_REDUCE_MAX_RANK 6
// y[o] = requantize(sum over the reduced index space of (x - zx)), o in
// row-major order of the kept dims. Tasks: output elements.
typedef struct qc_qs8_reduce_mean_params {
  int32_t kept_rank, reduced_rank;
  int64_t kept_dims[QC_REDUCE_MAX_RANK], kept_strides[QC_REDUCE_MAX_RANK];
  int64_t reduced_dims[QC_REDUCE_MAX_RANK], reduced_strides[QC_REDUCE_MAX_RANK];
  float multiplier;
  int32_t in_type, out_type;
  int32_t in_zero_point, out_zero_point, out_min, out_max;
} qc_qs8_reduce_mean_params;
