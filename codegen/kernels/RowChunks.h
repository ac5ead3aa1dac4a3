// Task split of the n-d row kernels (Strided.h) so that threads share long
// rows: a task is one chunk of a row; the host (emitters) and the kernels
// agree on the chunk length through the kernel's params.
#pragma once

#include "codegen/kernels/Strided.h"

#ifdef __cplusplus
namespace {

// Output bytes per task when a row is split.
constexpr int64_t kRowChunkBytes = 16384;

// Elements per chunk of the rows of `s` whose output elements take
// `outElemBytes`: whole rows up to twice the chunk, else a multiple of 64
// elements (whole vectors).
inline int64_t ndRowChunk(const qc_nd_shape &s, int64_t outElemBytes) {
  const int64_t n = s.dims[s.rank - 1];
  int64_t chunk = kRowChunkBytes / (outElemBytes > 0 ? outElemBytes : 1);
  chunk = chunk < 64 ? 64 : chunk / 64 * 64;
  return n <= 2 * chunk ? (n > 0 ? n : 1) : chunk;
}

inline int64_t ndChunksPerRow(const qc_nd_shape &s, int64_t chunk) {
  const int64_t n = s.dims[s.rank - 1];
  return n <= chunk ? 1 : (n + chunk - 1) / chunk;
}

// Tasks of the row kernels: rows times chunks per row.
inline int64_t ndChunkTasks(const qc_nd_shape &s, int64_t chunk) {
  return ndRows(s) * ndChunksPerRow(s, chunk);
}

// Calls fn(offsets, count, innerStrides) like ndForEachRow for the chunks
// [taskBegin, taskEnd); consecutive chunks of one row are one call.
template <class Fn>
inline void ndForEachChunk(const qc_nd_shape &s, int64_t chunk, int64_t taskBegin,
                           int64_t taskEnd, Fn &&fn) {
  const int inner = s.rank - 1;
  const int64_t n = s.dims[inner];
  const int64_t perRow = ndChunksPerRow(s, chunk);
  int64_t innerStrides[QC_ND_MAX_OPERANDS];
  for (int i = 0; i < s.num_operands; ++i)
    innerStrides[i] = s.strides[i][inner];
  for (int64_t t = taskBegin; t < taskEnd;) {
    int64_t row = t / perRow, part = t % perRow;
    int64_t lastPart = perRow < part + (taskEnd - t) ? perRow : part + (taskEnd - t);
    int64_t begin = part * chunk;
    int64_t end = lastPart * chunk < n ? lastPart * chunk : n;
    int64_t offsets[QC_ND_MAX_OPERANDS];
    ndRowOffsets(s, row, offsets);
    for (int i = 0; i < s.num_operands; ++i)
      offsets[i] += begin * innerStrides[i];
    fn(offsets, end - begin, innerStrides);
    t += lastPart - part;
  }
}

} // namespace
#endif
