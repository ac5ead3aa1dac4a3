// Params of the depthwise int8 convolution (qc.QConv with group == C),
// shared by the kernels (Qs8Dwconv.cpp) and their emitter
// (codegen/emit/QConvDepthwise.cpp). Activations are NHWC, one sample.
#pragma once

#include "codegen/kernels/Q8Types.h"

// Two entries, both over output rows (tasks):
//
// qs8_dwconv (any case; the generic ISA, channel multiplier > 1, f32 output,
// weights that do not fit s8 once centred):
//   consts[0] weights [kh * kw][M], zero point subtracted, each an int32
//     holding the int16 pair (w, 0), i.e. uint16_t(w) (the vpmaddwd operand);
//   consts[1] int32 bias [M] with -zx * sum_k w folded in;
//   consts[2] f32 multiplier [M] (requantization, or inScale for f32 output);
//   consts[3] the padding row: C input elements equal to zx.
//
// qs8_dwconv_vec (AVX2 / AVX-VNNI / AVX-512 VNNI, multiplier 1, u8/s8
// output, centred weights in s8): u8 quads of 4 kernel rows x one channel
// (s8 input shifted by +128) times s8 weight quads, the 4 x u8 dot of the ISA
// (vpdpbusd). Channels go in blocks of B = block_channels (4 vectors of B / 4
// int32 lanes); the last block starts at C - B when C % B != 0 and C >= B
// (it recomputes a few channels), and is partial (masked) when C < B. Within
// a block, lane i of vector j holds channel 16 * (i / 4) + 4 * j + i % 4: the
// order the byte/word unpacks of 4 rows produce per 128-bit lane, which the
// epilogue's packs undo.
//   consts[0] s8 weights [block][row group g][kw][j][i][4 rows 4g..4g+3]
//     (rows >= kh and channels >= C are 0);
//   consts[1] int32 bias [block][j][i], -zxu * sum_k w folded in (zxu: zx, +128
//     for s8 input), so padded taps that read zxu cancel;
//   consts[2] f32 multiplier [block][j][i].
typedef struct qc_qs8_dwconv_params {
  int64_t in_h, in_w, channels; // input H, W, C
  int64_t out_h, out_w, out_channels; // M = C * multiplier
  int64_t multiplier;
  int64_t kernel_h, kernel_w, stride_h, stride_w, dilation_h, dilation_w;
  int64_t pad_top, pad_left;
  int32_t in_type, out_type; // qc_q8_type: u8/s8 in, u8/s8/f32 out
  int32_t out_zero_point, out_min, out_max;
  int32_t in_zero_point_u8; // qs8_dwconv_vec: zx as u8 (+128 for s8 input)
  int32_t block_channels;   // qs8_dwconv_vec: B (4 x the int32 lanes: 16, 32 or 64)
  // qs8_dwconv_vec: PV = 1, or (AVX-512, stride 1, 3 wide, dilation 1,
  // C * PV = B) 2 or 4: a block holds PV adjacent pixels of all C channels,
  // lane channels taken mod C.
  int32_t pixels_per_block;
  // qs8_dwconv_vec: 1 when every |acc * M| < 2^30 (the emitter's bound), so
  // the epilogue rounds without a float clamp and clamps the narrowed bytes.
  int32_t narrow_clamp;
} qc_qs8_dwconv_params;

#ifdef __cplusplus
// Kernel rows per u8 quad of qs8_dwconv_vec; row groups = ceil(kh / 4).
#define QC_DWCONV_VEC_MAX_ROW_GROUPS 3

// First channel of block b of qs8_dwconv_vec.
static inline int64_t qcDwconvBlockStart(int64_t channels, int64_t block, int64_t b) {
  int64_t s = b * block;
  return channels >= block && s + block > channels ? channels - block : s;
}
static inline int64_t qcDwconvBlocks(int64_t channels, int64_t block) {
  return (channels + block - 1) / block;
}
// The channel (relative to the block start) of lane i of vector j.
static inline int64_t qcDwconvLaneChannel(int64_t j, int64_t i) {
  return 16 * (i / 4) + 4 * j + i % 4;
}

// Packs qs8_dwconv_vec's consts. w: centred weights [C][kh * kw] (in s8
// range), bias: folded [C], mult [C]; outputs sized blocks * G * kw * 4 * B,
// blocks * B, blocks * B.
static inline void qcDwconvPackVec(const qc_qs8_dwconv_params *p, const int32_t *w,
                                   const int32_t *bias, const float *mult, int8_t *wOut,
                                   int32_t *biasOut, float *multOut) {
  const int64_t c = p->channels, bw = p->block_channels, lanes = bw / 4;
  const int64_t groups = (p->kernel_h + 3) / 4, taps = p->kernel_h * p->kernel_w;
  for (int64_t b = 0; b < qcDwconvBlocks(c, bw); ++b) {
    const int64_t start = qcDwconvBlockStart(c, bw, b);
    for (int64_t j = 0; j < 4; ++j)
      for (int64_t i = 0; i < lanes; ++i) {
        const int64_t pv = p->pixels_per_block > 1 ? p->pixels_per_block : 1;
        const bool in = start + qcDwconvLaneChannel(j, i) < c * pv;
        const int64_t ch = (start + qcDwconvLaneChannel(j, i)) % c;
        biasOut[b * bw + j * lanes + i] = in ? bias[ch] : 0;
        multOut[b * bw + j * lanes + i] = in ? mult[ch] : 0.0f;
        for (int64_t g = 0; g < groups; ++g)
          for (int64_t kw = 0; kw < p->kernel_w; ++kw)
            for (int64_t s = 0; s < 4; ++s) {
              const int64_t r = 4 * g + s;
              int8_t v = in && r < p->kernel_h ? int8_t(w[ch * taps + r * p->kernel_w + kw]) : 0;
              wOut[(((b * groups + g) * p->kernel_w + kw) * 4 + j) * bw + i * 4 + s] = v;
            }
      }
  }
}
#endif
