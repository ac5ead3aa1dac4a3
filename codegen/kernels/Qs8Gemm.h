/* Params of the int8 implicit-GEMM kernels (codegen/kernels/Qs8Gemm.cpp),
   shared with their emitters (codegen/emit/QConvGemm.cpp, QMatMulGemm.cpp,
   GemmPacking.cpp). C layout: the host fills it, the kernel reads it. */
#ifndef QC_CODEGEN_KERNELS_QS8GEMM_H
#define QC_CODEGEN_KERNELS_QS8GEMM_H

#include <stdint.h>

/* Micro-tile limits per ISA, indexed by qc_qs8_gemm_isa. The tile is MR
   output rows (pixels) x NRV accumulator vectors of `lanes` int32 each;
   MR * NRV <= max_acc keeps every accumulator in a register. */
enum qc_qs8_gemm_isa {
  QC_QS8_GEMM_GENERIC = 0,
  QC_QS8_GEMM_AVX2 = 1,
  QC_QS8_GEMM_AVXVNNI = 2,
  QC_QS8_GEMM_AVX512VNNI = 3
};
#ifdef __cplusplus
#define QC_QS8_GEMM_TABLE static constexpr int
#else
#define QC_QS8_GEMM_TABLE static const int
#endif
QC_QS8_GEMM_TABLE qc_qs8_gemm_lanes[4] = {8, 8, 8, 16};
QC_QS8_GEMM_TABLE qc_qs8_gemm_max_nrv[4] = {1, 2, 2, 4};
QC_QS8_GEMM_TABLE qc_qs8_gemm_max_acc[4] = {4, 8, 12, 24};
#define QC_QS8_GEMM_MAX_MR 12

/* Output element kinds. */
#define QC_QS8_GEMM_OUT_Q8 0  /* u8 or s8: requantized, clamped */
#define QC_QS8_GEMM_OUT_F32 1 /* float(acc) * scale */

/* One node: a 2-D convolution over NHWC activations of one sample (a GEMM
   is the 1x1 case with in_h = out_h = 1 and rows as pixels). Rows of the
   GEMM are output pixels, K = kernel_h * kernel_w * group_in_channels, the
   columns of group g are output channels [g * group_out, (g+1) * group_out).

   consts[0] packed weights, s8: for group g, column block b:
               [kernel_h * kernel_w][ceil(group_in / 4)][nrv * lanes][4]
             (k padded with zeros to a multiple of 4 per tap)
   consts[1] int32 bias [groups][n_blocks * nrv * lanes]: the IR bias with
             every zero-point term known at compile time folded in
   consts[2] float [groups][n_blocks * nrv * lanes]: requantization
             multiplier (Q8) or output scale (F32) per column
   consts[3] u8 [ceil(group_in / 4) * 4]: the input zero point as stored
             (read for taps in the padding)
   consts[4] int32 [groups][n_blocks * nrv * lanes]: weight zero points
             (s8 domain) when has_weight_zero_points, subtracted times the
             run-time row sums of the activations
   Packed mode (packed_k > 0, for small group_in): each row tile's rows of
   K = kernel_h * kernel_w * group_in bytes are gathered (im2col, in (tap,
   channel) order, padding taps = the input zero point) into a buffer on the
   stack, padded to packed_k = ceil(K / 4) * 4 with the zero point, and run
   as one tap of packed_k / 4 quads: consts[0] is then
               [ceil(K / 4)][nrv * lanes][4] per (group, block).
   Tasks per sample: groups * n_blocks * batch * row_tiles, row tiles
   fastest (consecutive tasks share a weight block). */
typedef struct qc_qs8_gemm_params {
  int32_t batch;                  /* samples in one buffer (static N) */
  int32_t in_h, in_w, in_c;       /* input NHWC; in_c: pixel stride */
  int32_t out_h, out_w, out_c;    /* output NHWC; out_c: pixel stride */
  int32_t kernel_h, kernel_w;
  int32_t stride_h, stride_w;
  int32_t dilation_h, dilation_w;
  int32_t pad_top, pad_left;
  int32_t groups;
  int32_t group_in;               /* input channels per group (K per tap) */
  int32_t group_out;              /* output channels per group */
  int32_t mr, nrv;                /* micro-tile */
  int32_t n_blocks;               /* ceil(group_out / (nrv * lanes)) */
  int32_t row_tiles;              /* ceil(out_h * out_w / mr) */
  int32_t input_signed;           /* s8 input: bytes ^ 0x80 give u8 */
  int32_t has_weight_zero_points;
  int32_t output_kind;            /* QC_QS8_GEMM_OUT_* */
  int32_t output_zero_point;
  float clamp_lo, clamp_hi;       /* act_min - zy, act_max - zy */
  int32_t input_zero_point;       /* in the u8 domain (for row sums) */
  int32_t packed_k;               /* > 0: packed mode, row bytes (mult of 4) */
} qc_qs8_gemm_params;

/* Largest packed_k the kernel's stack buffer holds. */
#define QC_QS8_GEMM_MAX_PACKED_K 1024

#endif /* QC_CODEGEN_KERNELS_QS8GEMM_H */
