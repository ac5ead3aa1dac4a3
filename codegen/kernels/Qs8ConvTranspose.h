// Params of qc.QConvTranspose's direct kernel (codegen/kernels/
// Qs8ConvTranspose.cpp), shared with codegen/emit/QConvTransposeEmit.cpp.
// 2-d, any activation layouts (element strides per logical axis of one
// sample). Each output position gathers the input positions whose taps land
// on it; the int32 sums run over the output channels (vectorized):
//   acc[m] = bias[m] + sum (x[c, ih, iw] - zx) * (w[c, j, kh, kw] - zw[j])
// with m = g * M/group + j, then requantized per output channel.
#pragma once

#include <stdint.h>

enum { QC_CT_OUT_U8 = 0, QC_CT_OUT_S8 = 1, QC_CT_OUT_F32 = 2 };

// consts[0]: int32 weights [group][kh][kw][C/group][M/group], centred;
// consts[1]: int32 bias [M] (zeros when absent); consts[2]: fp32 per-channel
// factor [M] (requantization multiplier, or the fp32 scale for f32 results).
typedef struct qc_qs8_conv_transpose_params {
  int64_t c, m, group;
  int64_t ih, iw, oh, ow, kh, kw;
  int64_t stride_h, stride_w, dil_h, dil_w, pad_h, pad_w;
  int64_t x_sc, x_sh, x_sw; // element strides of x's logical C, H, W
  int64_t y_sm, y_sh, y_sw; // of y's logical M, H, W
  int32_t x_signed, zx;
  int32_t out_kind, zy;
  float lo, hi; // act_min - zy, act_max - zy
} qc_qs8_conv_transpose_params;
