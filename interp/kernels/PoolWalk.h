// The window walk shared by the pooling kernels (MaxPool, AveragePool) and
// qc's integer average pool: every output position's in-bounds taps and how
// many taps lie inside the explicitly padded input.
#pragma once

#include <algorithm>
#include <vector>

#include "interp/kernels/Kernels.h"
#include "ir/infer/InferRules.h"

namespace qc::interp::kernels {

/// The window geometry of ctx.node (a pool-like op) for its static input 0.
llvm::Expected<ir::infer::WindowGeometry> windowGeometryOf(const EvalContext &ctx);

/// Elements per N,C plane of `dims` (N x C x spatial...).
int64_t planeSize(llvm::ArrayRef<int64_t> dims);

/// Advances a multi-index over `extents` in row-major order; false after
/// the last one.
inline bool nextIndex(std::vector<int64_t> &index, llvm::ArrayRef<int64_t> extents) {
  for (size_t d = index.size(); d-- > 0;) {
    if (++index[d] < extents[d])
      return true;
    index[d] = 0;
  }
  return false;
}

/// One window position: the input offsets (within an N,C plane) of its taps
/// inside the input, and how many taps lie inside input plus explicit pads.
struct Window {
  std::vector<int64_t> offsets;  // row-major, within the plane
  std::vector<int64_t> colMajor; // same taps, column-major spatial index
  int64_t tapsInPaddedInput = 0;
};

/// Calls `fn(window, outOffset)` for every output position of one plane.
template <typename Fn>
void forEachWindow(const ir::infer::WindowGeometry &g, llvm::ArrayRef<int64_t> inSpatial,
                   llvm::ArrayRef<int64_t> outSpatial, Fn fn) {
  size_t rank = inSpatial.size();
  std::vector<int64_t> outIndex(rank, 0), tap(rank, 0);
  int64_t outOffset = 0;
  bool emptyOutput = false;
  for (int64_t d : outSpatial)
    emptyOutput = emptyOutput || d == 0;
  if (emptyOutput)
    return;
  Window w;
  do {
    w.offsets.clear();
    w.colMajor.clear();
    w.tapsInPaddedInput = 0;
    std::fill(tap.begin(), tap.end(), 0);
    do {
      int64_t offset = 0, colMajor = 0, colStride = 1;
      bool inside = true, insidePadded = true;
      for (size_t d = 0; d < rank; ++d) {
        int64_t pos = outIndex[d] * g.strides[d] - g.pads[d] + tap[d] * g.dilations[d];
        inside = inside && pos >= 0 && pos < inSpatial[d];
        insidePadded = insidePadded && pos >= -g.pads[d] && pos < inSpatial[d] + g.pads[d + rank];
        offset = offset * inSpatial[d] + pos;
        colMajor += pos * colStride;
        colStride *= inSpatial[d];
      }
      w.tapsInPaddedInput += insidePadded;
      if (inside) {
        w.offsets.push_back(offset);
        w.colMajor.push_back(colMajor);
      }
    } while (nextIndex(tap, g.kernel));
    fn(w, outOffset++);
  } while (nextIndex(outIndex, outSpatial));
}

} // namespace qc::interp::kernels
