// Params of qc.QMatMul with two activations (codegen/kernels/
// Qs8BatchMatMul.cpp), shared with codegen/emit/QMatMulActAct.cpp.
//
// acc[i, n] = sum_k (a[i, k] - za) * (b[k, n] - zb) + bias[n], computed with
// the ISA's u8 x s8 dot product: A is read as u8 (s8 A flipped by ^0x80, its
// zero point shifted by +128), B as s8 (u8 B flipped, zero point -128), so
//   acc = sum a_u b_s - zb_s * rowsum(a_u)[i] - za_u * colsum(b_s)[n]
//         + K za_u zb_s + bias[n]     (exact mod 2^32).
// qc_qs8_bmm_pack (first call) packs every B matrix of the sample into the
// node's scratch: per tile of NR columns, [K4 / 4][NR][4] s8 bytes, then per
// column the int32 term K za_u zb_s + bias[n] - za_u colsum[n]. qc_qs8_bmm
// (second call) runs the register-blocked dot-product kernel and requantizes.
#pragma once

#include <stdint.h>

#define QC_BMM_MAX_BATCH_RANK 4
// Rows of A per task of qc_qs8_bmm.
#define QC_BMM_ROWS_PER_TASK 16

enum { QC_BMM_OUT_U8 = 0, QC_BMM_OUT_S8 = 1, QC_BMM_OUT_F32 = 2 };

// Columns per packed tile: 4 vectors of the ISA's int32 lanes.
static inline int32_t qc_bmm_tile_columns(int32_t isa_vector_bytes) {
  return isa_vector_bytes == 64 ? 64 : 16;
}

typedef struct qc_qs8_bmm_params {
  int64_t m, n, k;
  int64_t k4;          // k rounded up to a multiple of 4
  int64_t nr;          // qc_bmm_tile_columns of the ISA
  int64_t n_tiles;     // ceil(n / nr)
  int64_t tile_bytes;  // k4 * nr
  int64_t packed_bytes; // per B matrix: n_tiles * (tile_bytes + nr * 4), 64-aligned
  int64_t num_b;       // B matrices per sample
  int64_t m_blocks;    // ceil(m / QC_BMM_ROWS_PER_TASK)
  int64_t out_batches; // result matrices per sample
  int32_t batch_rank;  // result batch dims (after dropping the matrix dims)
  int32_t a_flip;      // 0x80 when A is s8, else 0
  int32_t b_flip;      // 0x80 when B is u8, else 0
  int32_t za_u;        // A's zero point in the u8 domain
  int32_t zb_s;        // B's zero point in the s8 domain
  int32_t out_kind;    // QC_BMM_OUT_*
  int32_t has_bias;    // consts[0]: int32 [n]
  int32_t zy;          // result zero point
  float lo, hi;        // act_min - zy, act_max - zy
  float multiplier;    // float(sa sb / sy), or float(sa sb) for f32 results
  int32_t pad_;
  int64_t batch_dims[QC_BMM_MAX_BATCH_RANK];
  int64_t a_batch_stride[QC_BMM_MAX_BATCH_RANK]; // in matrices; 0: broadcast
  int64_t b_batch_stride[QC_BMM_MAX_BATCH_RANK];
} qc_qs8_bmm_params;
