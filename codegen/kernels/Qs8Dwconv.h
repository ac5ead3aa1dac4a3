// Params of the depthwise int8 convolution (qc.QConv with group == C),
// shared by the kernel (Qs8Dwconv.cpp) and its emitter
// (codegen/emit/QConvDepthwise.cpp). Activations are NHWC, one sample.
#pragma once

#include "codegen/kernels/Q8Types.h"

// consts[0] weights [kh * kw][M], zero point subtracted, each an int32
//   holding the int16 pair (w, 0), i.e. uint16_t(w) (the vpmaddwd operand);
// consts[1] int32 bias [M] with -zx * sum_k w folded in;
// consts[2] f32 multiplier [M] (requantization, or inScale for f32 output);
// consts[3] the padding row: C input elements equal to zx.
// Tasks: output rows.
typedef struct qc_qs8_dwconv_params {
  int64_t in_h, in_w, channels; // input H, W, C
  int64_t out_h, out_w, out_channels; // M = C * multiplier
  int64_t multiplier;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  int32_t in_type, out_type; // qc_q8_type: u8/s8 in, u8/s8/f32 out
  int32_t out_zero_point, out_min, out_max;
} qc_qs8_dwconv_params;
