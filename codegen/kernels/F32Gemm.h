// Params of the fp32 GEMM and convolution kernels
// (codegen/kernels/F32Gemm.cpp), shared with their emitters
// (codegen/emit/FloatLinear.cpp). B (weights) is packed in panels of
// QC_F32_NR(isa) columns: panel p holds rows k = 0..K-1 of columns
// [p NR, p NR + NR), zero-padded, i.e. packed[(p K + k) NR + j].
#pragma once

#include <stdint.h>

// Register block of the micro-kernel: MR rows x NR columns, NR = NRV
// vectors of the ISA's float width (16 on AVX-512, 8 on AVX2, 4 on SSE2).
#define QC_F32_MR 6
#define QC_F32_NR_AVX512 64
#define QC_F32_NR_AVX2 16
#define QC_F32_NR_GENERIC 8
#define QC_F32_GEMM_MAX_BATCH_RANK 4

enum { QC_F32_B_CONST = 0, QC_F32_B_SCRATCH = 1 };

// qc_f32_gemm: Y[b] (M x N, row-major, y row stride N) =
//   alpha * A[b] x B[b] + beta * C
// with A(i, k) = a[i * a_row_stride + k * a_col_stride] (transA by
// strides), B packed (consts[0] or the scratch, the last out[] entry),
// C(i, j) = consts[c_slot][i * c_row_stride + j * c_col_stride]
// (broadcast by zero strides) when has_c. Batch: batch_rank dims; matrix b's
// offsets are sum_d idx_d * *_batch_stride[d]. Tasks: batch x m tiles x
// n tiles (m_tile rows, n_tile columns, a multiple of NR).
typedef struct qc_f32_gemm_params {
  int64_t m, n, k;
  int64_t a_row_stride, a_col_stride;
  int64_t c_row_stride, c_col_stride;
  int32_t batch_rank;
  int32_t b_source; // QC_F32_B_*
  int64_t batch_dims[QC_F32_GEMM_MAX_BATCH_RANK];
  int64_t a_batch_stride[QC_F32_GEMM_MAX_BATCH_RANK];
  int64_t b_batch_stride[QC_F32_GEMM_MAX_BATCH_RANK]; // packed elements
  int64_t y_batch_stride[QC_F32_GEMM_MAX_BATCH_RANK];
  int64_t m_tile, n_tile, tiles_m, tiles_n;
  int64_t kc; // K block kept in L1
  float alpha, beta;
  int32_t has_c, c_slot;
} qc_f32_gemm_params;

// qc_f32_gemm_pack_b: packs B (in[0], B(k, j) = b[k * row_stride + j *
// col_stride], batch like qc_f32_gemm with b_in_batch_stride) into the
// scratch (the last out[] entry) at b * packed_batch_stride. Tasks: batch.
typedef struct qc_f32_gemm_pack_b_params {
  int64_t k, n;
  int64_t row_stride, col_stride;
  int32_t batch_rank;
  int32_t pad_;
  int64_t batch_dims[QC_F32_GEMM_MAX_BATCH_RANK];
  int64_t in_batch_stride[QC_F32_GEMM_MAX_BATCH_RANK];
  int64_t packed_batch_stride;
} qc_f32_gemm_pack_b_params;

// qc_f32_conv2d: NHWC convolution of one sample, y[oh][ow][g M/G + m] =
// bias + sum_{kh, kw, c} x[ih][iw][g C/G + c] w[...], with ih = oh * sh +
// kh * dh - pt (taps in the padding read zeros). Weights (consts[0]) packed
// per group as B of K = kh * kw * C/G (k = (kh * KW + kw) * C/G + c) and
// N = M/G columns, groups one after another; bias (consts[1], M floats,
// zeros when absent); consts[2]: C/G zeros (the padding row). Tasks: groups x
// blocks of m_tile output pixels x n tiles.
typedef struct qc_f32_conv2d_params {
  int64_t in_h, in_w, in_c;    // x: [in_h][in_w][in_c]
  int64_t out_h, out_w, out_c; // y: [out_h][out_w][out_c]
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int64_t groups;
  int64_t group_in, group_out; // C/G, M/G
  int64_t m_tile, n_tile, tiles_m, tiles_n;
  int64_t kc;
} qc_f32_conv2d_params;

// qc_f32_dwconv2d: depthwise NHWC convolution (group == C, M = C x
// multiplier), y[oh][ow][c * mult + j] over taps of channel c. Weights
// (consts[0]) [kh][kw][M], bias (consts[1]) [M]. Tasks: output rows.
typedef struct qc_f32_dwconv2d_params {
  int64_t in_h, in_w, in_c;
  int64_t out_h, out_w, out_c;
  int64_t kernel_h, kernel_w;
  int64_t stride_h, stride_w, dilation_h, dilation_w, pad_top, pad_left;
  int64_t multiplier;
} qc_f32_dwconv2d_params;
