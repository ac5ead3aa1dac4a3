// N-d strided iteration shared by elementwise, copy and quantize kernels: the
// host (codegen/Emit.h, buildNdShape) describes the output's physical shape
// and every operand's strides over it, coalesced so the innermost run is as
// long as possible; a kernel walks rows of the innermost dimension.
#pragma once

#include <stdint.h>

#define QC_ND_MAX_RANK 6
#define QC_ND_MAX_OPERANDS 4

// Operand 0 is the output; 1.. are inputs in the kernel's order.
typedef struct qc_nd_shape {
  int32_t rank;          // >= 1
  int32_t num_operands;  // <= QC_ND_MAX_OPERANDS
  int64_t dims[QC_ND_MAX_RANK];
  int64_t strides[QC_ND_MAX_OPERANDS][QC_ND_MAX_RANK]; // in elements
} qc_nd_shape;

#ifdef __cplusplus
namespace {

// Rows (all dims but the innermost) of `s`: the natural task space.
inline int64_t ndRows(const qc_nd_shape &s) {
  int64_t rows = 1;
  for (int d = 0; d + 1 < s.rank; ++d)
    rows *= s.dims[d];
  return rows;
}

// offsets[i] = operand i's element offset of the first element of the
// `index`-th slice over the outer dims, i.e. all but the `innerDims`
// innermost (1: `index` is a row).
inline void ndRowOffsets(const qc_nd_shape &s, int64_t index,
                         int64_t (&offsets)[QC_ND_MAX_OPERANDS], int innerDims = 1) {
  for (int i = 0; i < QC_ND_MAX_OPERANDS; ++i)
    offsets[i] = 0;
  int64_t rest = index;
  for (int d = s.rank - 1 - innerDims; d >= 0; --d) {
    int64_t idx = rest % s.dims[d];
    rest /= s.dims[d];
    for (int i = 0; i < s.num_operands; ++i)
      offsets[i] += idx * s.strides[i][d];
  }
}

// Calls fn(offsets, innerCount, innerStrides) for rows [rowBegin, rowEnd):
// offsets[i] is operand i's element offset of the row's first element.
template <class Fn>
inline void ndForEachRow(const qc_nd_shape &s, int64_t rowBegin, int64_t rowEnd, Fn &&fn) {
  const int inner = s.rank - 1;
  int64_t innerStrides[QC_ND_MAX_OPERANDS];
  for (int i = 0; i < s.num_operands; ++i)
    innerStrides[i] = s.strides[i][inner];
  for (int64_t row = rowBegin; row < rowEnd; ++row) {
    int64_t offsets[QC_ND_MAX_OPERANDS];
    ndRowOffsets(s, row, offsets);
    fn(offsets, s.dims[inner], innerStrides);
  }
}

} // namespace
#endif
