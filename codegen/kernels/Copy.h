// Params of the data-movement kernels (codegen/kernels/Copy.cpp), shared with
// their emitters (codegen/emit/DataMovement.cpp): strided copies, fills,
// per-axis index-table gathers, and Gather along one axis.
#pragma once

#include <stdint.h>

#include "codegen/kernels/Strided.h"

// qc_copy_nd: out[out_offset + sum i_d * s0_d] = src[in_offset + sum i_d * s1_d]
// over nd (operand 0 = out, 1 = in; strides may be 0 or negative). out is
// out[dst_slot]; src is in[src_slot], consts[src_slot] (a fill from a
// constant) or out[src_slot] (the node's scratch, the last out[] entry).
// Tasks: QC_COPY_ROWS: chunks of row_chunk elements of the rows of nd
// (RowChunks.h); QC_COPY_TRANSPOSE (in's stride-1 dim is dims[rank-2] while
// out's is the innermost): the outer dims times blocks of QC_COPY_TILE
// along dims[rank-2]; the small-C transposes [..., P, C] (QC_COPY_INTERLEAVE:
// in's stride-1 dim is P, out's is C, e.g. NCHW -> NHWC) and [..., C, P]
// (QC_COPY_DEINTERLEAVE: out's stride-1 dim is P, in's is C, NHWC -> NCHW),
// C <= QC_COPY_SMALL: the outer dims times blocks of QC_COPY_PIXELS of P.
enum {
  QC_COPY_ROWS = 0,
  QC_COPY_TRANSPOSE = 1,
  QC_COPY_INTERLEAVE = 2,
  QC_COPY_DEINTERLEAVE = 3
};
enum { QC_SRC_IN = 0, QC_SRC_CONST = 1, QC_SRC_OUT = 2 };
#define QC_COPY_TILE 16
#define QC_COPY_SMALL 8
#define QC_COPY_PIXELS 1024

typedef struct qc_copy_params {
  qc_nd_shape nd;
  int64_t out_offset; // elements
  int64_t in_offset;  // elements
  int64_t row_chunk;  // QC_COPY_ROWS: elements per task
  int32_t elem_bytes; // 1, 2, 4 or 8
  int32_t mode;       // QC_COPY_ROWS or QC_COPY_TRANSPOSE
  int32_t src_kind;   // QC_SRC_*
  int32_t src_slot;
  int32_t dst_slot;
  int32_t pad_;
} qc_copy_params;

// qc_copy_indexed: out (contiguous dims, strides out_strides) element at
// index (i_0, ..., i_{r-1}) = in[0][sum_d table[table_offset[d] + i_d]],
// where the int64 table (consts[0]) holds per-axis source element offsets.
// inner_contiguous: the innermost axis' table is t0, t0+1, ... (memcpy
// runs). Tasks: rows (all dims but the innermost).
#define QC_INDEXED_MAX_RANK 6
typedef struct qc_copy_indexed_params {
  int32_t rank;
  int32_t elem_bytes;
  int32_t inner_contiguous;
  int32_t pad_;
  int64_t dims[QC_INDEXED_MAX_RANK];
  int64_t out_strides[QC_INDEXED_MAX_RANK];
  int64_t table_offset[QC_INDEXED_MAX_RANK];
} qc_copy_indexed_params;

// qc_gather_rows: data (row-major [outer, extent, inner]) and indices
// (int64 or int32, num_indices of them), each from in[slot] or consts[slot]
// (QC_SRC_IN / QC_SRC_CONST): out[o, j, :] = data[o, norm(indices[j]), :] with inner elements
// of elem_bytes each. norm() wraps negative indices once and clamps the
// result into [0, extent) (the kernel cannot report errors; the reference
// rejects out-of-range indices). Tasks: outer.
typedef struct qc_gather_rows_params {
  int64_t outer;
  int64_t extent;
  int64_t inner_bytes;
  int64_t num_indices;
  int32_t index_bytes; // 8 or 4
  int32_t data_src, data_slot;
  int32_t indices_src, indices_slot;
  /* > 0: out[status_slot] is the step's status word (run-time indices);
     an index outside [-extent, extent) sets QC_STEP_INDEX_OUT_OF_RANGE
     there and reads row 0 instead. */
  int32_t status_slot;
} qc_gather_rows_params;
