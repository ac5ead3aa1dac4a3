// Data-movement kernels (params in Copy.h): n-d strided copy with memcpy
// runs, a blocked 2-d transpose and small-C (de)interleaves, fill from a
// constant, per-axis
// index-table gather (Resize nearest, Tile, Pad edge/reflect), row Gather.
#include "codegen/kernels/Copy.h"
#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/RowChunks.h"
#include "runtime/ModelDesc.h"

namespace {

template <class T>
inline void copyRun(T *out, const T *in, int64_t n, int64_t os, int64_t is) {
  if (os == 1 && is == 1) {
    __builtin_memcpy(out, in, size_t(n) * sizeof(T));
  } else if (os == 1 && is == 0) {
    T v = *in;
    for (int64_t i = 0; i < n; ++i)
      out[i] = v;
  } else if (os == 1) {
    for (int64_t i = 0; i < n; ++i)
      out[i] = in[i * is];
  } else {
    for (int64_t i = 0; i < n; ++i)
      out[i * os] = in[i * is];
  }
}

template <class T>
void copyRows(const qc_copy_params &p, T *out, const T *in, int64_t begin, int64_t end) {
  ndForEachChunk(p.nd, p.row_chunk, begin, end, [&](const int64_t *off, int64_t n, const int64_t *st) {
    copyRun(out + off[0], in + off[1], n, st[0], st[1]);
  });
}

// dims [..., R, C]: tiles of QC_COPY_TILE x QC_COPY_TILE so that both the
// strided reads and the contiguous writes stay in L1.
template <class T>
void copyTransposed(const qc_copy_params &p, T *out, const T *in, int64_t begin, int64_t end) {
  const qc_nd_shape &s = p.nd;
  const int r = s.rank;
  const int64_t R = s.dims[r - 2], C = s.dims[r - 1];
  const int64_t osR = s.strides[0][r - 2], osC = s.strides[0][r - 1];
  const int64_t isR = s.strides[1][r - 2], isC = s.strides[1][r - 1];
  const int64_t blocks = (R + QC_COPY_TILE - 1) / QC_COPY_TILE;
  for (int64_t task = begin; task < end; ++task) {
    int64_t outer = task / blocks, block = task % blocks;
    int64_t off[QC_ND_MAX_OPERANDS];
    ndRowOffsets(s, outer, off, 2);
    const int64_t oOff = off[0], iOff = off[1];
    int64_t r0 = block * QC_COPY_TILE;
    int64_t r1 = r0 + QC_COPY_TILE < R ? r0 + QC_COPY_TILE : R;
    for (int64_t c0 = 0; c0 < C; c0 += QC_COPY_TILE) {
      int64_t c1 = c0 + QC_COPY_TILE < C ? c0 + QC_COPY_TILE : C;
      if (r1 - r0 == QC_COPY_TILE && c1 - c0 == QC_COPY_TILE) {
        // Full tile: constant trip counts let the compiler unroll it.
        for (int64_t i = 0; i < QC_COPY_TILE; ++i)
          for (int64_t j = 0; j < QC_COPY_TILE; ++j)
            out[oOff + (r0 + i) * osR + (c0 + j) * osC] = in[iOff + (r0 + i) * isR + (c0 + j) * isC];
      } else {
        for (int64_t i = r0; i < r1; ++i)
          for (int64_t j = c0; j < c1; ++j)
            out[oOff + i * osR + j * osC] = in[iOff + i * isR + j * isC];
      }
    }
  }
}

// Offsets of both sides at the outer index `outer` (dims [0, rank-2)).
inline void outerOffsets(const qc_nd_shape &s, int64_t outer, int64_t &oOff, int64_t &iOff) {
  oOff = 0;
  iOff = 0;
  for (int d = s.rank - 3; d >= 0; --d) {
    int64_t idx = outer % s.dims[d];
    outer /= s.dims[d];
    oOff += idx * s.strides[0][d];
    iOff += idx * s.strides[1][d];
  }
}

// [..., P, C] (QC_COPY_INTERLEAVE) or [..., C, P] (QC_COPY_DEINTERLEAVE)
// with a small C: per pixel, all C values. C is a constant once the params
// are inlined, so the channel loop unrolls and the pixel loop vectorizes
// with interleaved stores (loads).
template <bool Interleave, class T>
void copySmallTransposed(const qc_copy_params &p, T *out, const T *in, int64_t begin,
                         int64_t end) {
  const qc_nd_shape &s = p.nd;
  const int r = s.rank;
  const int pd = Interleave ? r - 2 : r - 1, cd = Interleave ? r - 1 : r - 2;
  const int64_t P = s.dims[pd], C = s.dims[cd];
  const int64_t osP = s.strides[0][pd], osC = s.strides[0][cd];
  const int64_t isP = s.strides[1][pd], isC = s.strides[1][cd];
  const int64_t blocks = (P + QC_COPY_PIXELS - 1) / QC_COPY_PIXELS;
  for (int64_t task = begin; task < end; ++task) {
    int64_t oOff, iOff;
    outerOffsets(s, task / blocks, oOff, iOff);
    const int64_t p0 = task % blocks * QC_COPY_PIXELS;
    const int64_t p1 = p0 + QC_COPY_PIXELS < P ? p0 + QC_COPY_PIXELS : P;
    T *o = out + oOff;
    const T *i = in + iOff;
    for (int64_t q = p0; q < p1; ++q)
      for (int64_t c = 0; c < C; ++c)
        o[q * osP + c * osC] = i[q * isP + c * isC];
  }
}

template <class T>
void copyTyped(const qc_copy_params &p, void *out, const void *in, int64_t begin, int64_t end) {
  T *o = static_cast<T *>(out) + p.out_offset;
  const T *i = static_cast<const T *>(in) + p.in_offset;
  if (p.mode == QC_COPY_TRANSPOSE)
    copyTransposed(p, o, i, begin, end);
  else if (p.mode == QC_COPY_INTERLEAVE)
    copySmallTransposed<true>(p, o, i, begin, end);
  else if (p.mode == QC_COPY_DEINTERLEAVE)
    copySmallTransposed<false>(p, o, i, begin, end);
  else
    copyRows(p, o, i, begin, end);
}

template <class T>
void indexedTyped(const qc_copy_indexed_params &p, const int64_t *table, T *out, const T *in,
                  int64_t begin, int64_t end) {
  const int inner = p.rank - 1;
  const int64_t n = p.dims[inner];
  const int64_t *innerTable = table + p.table_offset[inner];
  const int64_t os = p.out_strides[inner];
  for (int64_t row = begin; row < end; ++row) {
    int64_t src = 0, dst = 0, rest = row;
    for (int d = inner - 1; d >= 0; --d) {
      int64_t idx = rest % p.dims[d];
      rest /= p.dims[d];
      src += table[p.table_offset[d] + idx];
      dst += idx * p.out_strides[d];
    }
    if (p.inner_contiguous && os == 1) {
      __builtin_memcpy(out + dst, in + src + innerTable[0], size_t(n) * sizeof(T));
    } else {
      for (int64_t j = 0; j < n; ++j)
        out[dst + j * os] = in[src + innerTable[j]];
    }
  }
}

// Dispatches on the element size (a constant once the params are inlined).
template <class Fn> inline void withElemType(int32_t eb, Fn &&fn) {
  switch (eb) {
  case 1: fn(uint8_t{}); break;
  case 2: fn(uint16_t{}); break;
  case 4: fn(uint32_t{}); break;
  default: fn(uint64_t{}); break; // 8; the emitter rejects other sizes
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(copy_nd)(QC_KERNEL_PARAMS) {
  const qc_copy_params &p = *static_cast<const qc_copy_params *>(params_);
  const void *src = p.src_kind == QC_SRC_CONST ? consts[p.src_slot]
                    : p.src_kind == QC_SRC_OUT ? static_cast<const void *>(out[p.src_slot])
                                               : in[p.src_slot];
  withElemType(p.elem_bytes, [&](auto tag) {
    copyTyped<decltype(tag)>(p, out[p.dst_slot], src, task_begin, task_end);
  });
}

QC_KERNEL_EXTERN void QC_KERNEL(copy_indexed)(QC_KERNEL_PARAMS) {
  const qc_copy_indexed_params &p = *static_cast<const qc_copy_indexed_params *>(params_);
  const int64_t *table = static_cast<const int64_t *>(consts[0]);
  withElemType(p.elem_bytes, [&](auto tag) {
    using T = decltype(tag);
    indexedTyped<T>(p, table, static_cast<T *>(out[0]), static_cast<const T *>(in[0]),
                    task_begin, task_end);
  });
}

QC_KERNEL_EXTERN void QC_KERNEL(gather_rows)(QC_KERNEL_PARAMS) {
  const qc_gather_rows_params &p = *static_cast<const qc_gather_rows_params *>(params_);
  const uint8_t *data = static_cast<const uint8_t *>(
      p.data_src == QC_SRC_CONST ? consts[p.data_slot] : in[p.data_slot]);
  const void *indices =
      p.indices_src == QC_SRC_CONST ? consts[p.indices_slot] : in[p.indices_slot];
  uint8_t *dst = static_cast<uint8_t *>(out[0]);
  for (int64_t o = task_begin; o < task_end; ++o) {
    for (int64_t j = 0; j < p.num_indices; ++j) {
      int64_t idx = p.index_bytes == 8 ? static_cast<const int64_t *>(indices)[j]
                                       : static_cast<const int32_t *>(indices)[j];
      if (idx < 0)
        idx += p.extent;
      if (uint64_t(idx) >= uint64_t(p.extent)) {
        if (p.status_slot > 0)
          __atomic_store_n(static_cast<int32_t *>(out[p.status_slot]),
                           QC_STEP_INDEX_OUT_OF_RANGE, __ATOMIC_RELAXED);
        idx = 0;
      }
      __builtin_memcpy(dst + (o * p.num_indices + j) * p.inner_bytes,
                       data + (o * p.extent + idx) * p.inner_bytes, size_t(p.inner_bytes));
    }
  }
}
