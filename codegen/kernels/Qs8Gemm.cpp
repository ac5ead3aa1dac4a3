// int8 convolution and GEMM as one implicit GEMM over NHWC activations:
// register-blocked MR x (NRV * lanes) micro-tiles of the target's int8 dot
// product (codegen/kernels/Isa.h), zero points folded at pack time, the
// requantization fused into the epilogue. Params: Qs8Gemm.h.
#include "codegen/kernels/Isa.h"
#include "codegen/kernels/Qs8Gemm.h"

namespace {

using isa::Policy;
using I32 = Policy::I32;
constexpr int kLanes = Policy::kLanes;

#if defined(QC_ISA_AVX512VNNI)
constexpr int kIsa = QC_QS8_GEMM_AVX512VNNI;
#elif defined(QC_ISA_AVXVNNI)
constexpr int kIsa = QC_QS8_GEMM_AVXVNNI;
#elif defined(QC_ISA_AVX2)
constexpr int kIsa = QC_QS8_GEMM_AVX2;
#else
constexpr int kIsa = QC_QS8_GEMM_GENERIC;
#endif
constexpr int kMaxAcc = qc_qs8_gemm_max_acc[kIsa];
constexpr int kMaxNrv = qc_qs8_gemm_max_nrv[kIsa];
static_assert(qc_qs8_gemm_lanes[kIsa] == kLanes, "Qs8Gemm.h and Isa.h disagree");

// Register-blocked loops over the tile's rows and vectors must be unrolled
// completely: the accumulators then live in registers, not on the stack.
#define QC_UNROLL _Pragma("unroll")

inline int32_t loadQuad(const uint8_t *p) {
  int32_t v;
  memcpy(&v, p, 4);
  return v;
}

/// Everything a tile needs besides its position.
struct Ctx {
  const qc_qs8_gemm_params *p;
  const uint8_t *x;        // this sample's input
  uint8_t *y;              // this sample's output
  const int8_t *weights;   // this (group, block)'s packed weights
  const int32_t *bias;     // this (group, block)'s columns
  const float *mult;
  const int32_t *zw;
  const uint8_t *zeroRow;
  int32_t group, block;
  int32_t quadsPerTap;
};

/// acc[r][v] += the dot of one quad of each row (quadOf(r), u8 or s8 bytes
/// as stored) with the packed weights at w, advanced past them.
template <int MR, int NRV, bool S8, class QuadOf>
__attribute__((always_inline)) inline void accumulateQuad(I32 (&acc)[MR][NRV], const int8_t *&w,
                                                          QuadOf &&quadOf) {
  Policy::Weights wv[NRV];
  QC_UNROLL
  for (int v = 0; v < NRV; ++v)
    wv[v] = Policy::loadWeights(w + v * kLanes * 4);
  w += NRV * kLanes * 4;
  QC_UNROLL
  for (int r = 0; r < MR; ++r) {
    uint32_t quad = quadOf(r);
    Policy::Acts a = Policy::broadcastActs(int32_t(S8 ? quad ^ 0x80808080u : quad));
    QC_UNROLL
    for (int v = 0; v < NRV; ++v)
      acc[r][v] = Policy::dot(acc[r][v], a, wv[v]);
  }
}

/// acc += the dot products of `quads` full quads and `tailBytes` more bytes
/// of each row with the packed weights at w (advanced past them).
template <int MR, int NRV, bool S8>
__attribute__((always_inline)) inline void accumulate(I32 (&acc)[MR][NRV],
                                                      const uint8_t *const (&rows)[MR],
                                                      const int8_t *&w, int32_t quads,
                                                      int32_t tailBytes) {
  for (int32_t q = 0; q < quads; ++q)
    accumulateQuad<MR, NRV, S8>(acc, w,
                                [&](int r) { return uint32_t(loadQuad(rows[r] + 4 * q)); });
  if (tailBytes) {
    // The last quad: only tailBytes are this row's (the packed weights
    // beyond them are zero), read byte by byte to stay inside the buffer.
    accumulateQuad<MR, NRV, S8>(acc, w, [&](int r) {
      uint32_t quad = 0;
      for (int32_t i = 0; i < tailBytes; ++i)
        quad |= uint32_t(rows[r][4 * quads + i]) << (8 * i);
      return quad;
    });
  }
}

/// Sum of n bytes in the u8 domain.
template <bool S8> inline int32_t rowSumOf(const uint8_t *row, int32_t n) {
  uint32_t s = 0;
  for (int32_t i = 0; i < n; ++i)
    s += uint8_t(row[i] ^ (S8 ? 0x80 : 0));
  return int32_t(s);
}

/// Stores MR x NRV accumulators, the first `valid[v]` lanes of vector v
/// (FULL: all of them, so the store masks are constants), as f32 or q8.
template <int MR, int NRV, bool FULL, bool F32>
__attribute__((always_inline)) inline void storeRows(const Ctx &c, uint8_t *yRow, int64_t rowStride,
                                                     const isa::Requant &rq,
                                                     I32 (&acc)[MR][NRV],
                                                     const int32_t (&valid)[NRV]) {
  const float *const mult = c.mult; // not reloaded after each store
  QC_UNROLL
  for (int r = 0; r < MR; ++r, yRow += rowStride) {
    QC_UNROLL
    for (int v = 0; v < NRV; ++v) {
      const int32_t n = FULL ? kLanes : valid[v];
      if (!FULL && n <= 0)
        continue;
      if constexpr (F32)
        Policy::storeF32(reinterpret_cast<float *>(yRow) + v * kLanes, acc[r][v],
                         mult + v * kLanes, n);
      else
        Policy::storeQ8(yRow + v * kLanes, acc[r][v], mult + v * kLanes, rq, n);
    }
  }
}

/// Epilogue of a tile at output rows [row0, row0 + MR): zero-point row
/// sums, requantize (or scale to f32), store. Every test is per tile, not
/// per vector. Params are read into locals first: the byte stores below
/// may alias them as far as the compiler knows.
template <int MR, int NRV>
__attribute__((always_inline)) inline void storeTile(const Ctx &c, int32_t row0,
                                                     I32 (&acc)[MR][NRV],
                                                     const int32_t (&rowSum)[MR]) {
  const qc_qs8_gemm_params &p = *c.p;
  const int32_t col0 = c.block * NRV * kLanes;
  const bool f32Out = p.output_kind == QC_QS8_GEMM_OUT_F32;
  const int32_t outBytes = f32Out ? 4 : 1;
  const int64_t rowStride = int64_t(p.out_c) * outBytes;
  const isa::Requant rq{p.clamp_lo, p.clamp_hi, p.output_zero_point};
  int32_t valid[NRV];
  QC_UNROLL
  for (int v = 0; v < NRV; ++v)
    valid[v] = p.group_out - col0 - v * kLanes;
  if (p.has_weight_zero_points) {
    QC_UNROLL
    for (int r = 0; r < MR; ++r)
      QC_UNROLL
      for (int v = 0; v < NRV; ++v)
        acc[r][v] = Policy::subScaled(acc[r][v], c.zw + v * kLanes, rowSum[r]);
  }
  uint8_t *yRow =
      c.y + (int64_t(row0) * p.out_c + int64_t(c.group) * p.group_out + col0) * outBytes;
  const bool full = valid[NRV - 1] >= kLanes;
  if (f32Out)
    full ? storeRows<MR, NRV, true, true>(c, yRow, rowStride, rq, acc, valid)
         : storeRows<MR, NRV, false, true>(c, yRow, rowStride, rq, acc, valid);
  else
    full ? storeRows<MR, NRV, true, false>(c, yRow, rowStride, rq, acc, valid)
         : storeRows<MR, NRV, false, false>(c, yRow, rowStride, rq, acc, valid);
}

/// One MR x NRV tile: rows [row0, row0 + MR) of the output pixels, over the
/// convolution window. S8: the input is s8, read as u8 by flipping the sign
/// bits. Never inlined into the dispatch: the bitcode keeps one function
/// per variant, so a node's specialized code pulls in only the variants its
/// constant params select (inlining all 48 into the entry made model
/// compiles 10x slower).
template <int MR, int NRV, bool S8> __attribute__((noinline)) void tile(const Ctx &c, int32_t row0) {
  const qc_qs8_gemm_params &p = *c.p;
  I32 acc[MR][NRV];
  QC_UNROLL
  for (int r = 0; r < MR; ++r)
    QC_UNROLL
    for (int v = 0; v < NRV; ++v)
      acc[r][v] = Policy::load(c.bias + v * kLanes);

  int32_t ihBase[MR], iwBase[MR], rowSum[MR];
  // One division per tile; the rows' positions step along the output row.
  int32_t oh = row0 / p.out_w, ow = row0 % p.out_w;
  QC_UNROLL
  for (int r = 0; r < MR; ++r) {
    ihBase[r] = oh * p.stride_h - p.pad_top;
    iwBase[r] = ow * p.stride_w - p.pad_left;
    rowSum[r] = 0;
    if (++ow == p.out_w) {
      ow = 0;
      ++oh;
    }
  }
  const int32_t fullQuads = p.group_in / 4, tailBytes = p.group_in % 4;
  const int8_t *w = c.weights;
  const uint8_t *xg = c.x + c.group * p.group_in;
  for (int32_t kh = 0; kh < p.kernel_h; ++kh) {
    for (int32_t kw = 0; kw < p.kernel_w; ++kw) {
      const uint8_t *rows[MR];
      QC_UNROLL
      for (int r = 0; r < MR; ++r) {
        int32_t ih = ihBase[r] + kh * p.dilation_h, iw = iwBase[r] + kw * p.dilation_w;
        bool inside = uint32_t(ih) < uint32_t(p.in_h) && uint32_t(iw) < uint32_t(p.in_w);
        rows[r] = inside ? xg + (int64_t(ih) * p.in_w + iw) * p.in_c : c.zeroRow;
        if (p.has_weight_zero_points)
          rowSum[r] += inside ? rowSumOf<S8>(rows[r], p.group_in)
                              : p.group_in * p.input_zero_point;
      }
      accumulate<MR, NRV, S8>(acc, rows, w, fullQuads, tailBytes);
    }
  }
  storeTile<MR, NRV>(c, row0, acc, rowSum);
}

/// One MR x NRV tile over rows that are plain byte vectors (pointwise
/// convolutions, GEMMs and packed rows): rows[r] holds `quads` quads and
/// `tailBytes` more bytes, the first sumBytes of which count in the row
/// sums. No window geometry, one pass over K.
template <int MR, int NRV, bool S8>
__attribute__((noinline)) void tileRows(const Ctx &c, int32_t row0, const uint8_t *const *rowPtrs,
                                        int32_t quads, int32_t tailBytes, int32_t sumBytes) {
  const uint8_t *rows[MR];
  I32 acc[MR][NRV];
  I32 b[NRV];
  QC_UNROLL
  for (int v = 0; v < NRV; ++v)
    b[v] = Policy::load(c.bias + v * kLanes);
  int32_t rowSum[MR];
  QC_UNROLL
  for (int r = 0; r < MR; ++r) {
    rows[r] = rowPtrs[r];
    QC_UNROLL
    for (int v = 0; v < NRV; ++v)
      acc[r][v] = b[v];
    rowSum[r] = c.p->has_weight_zero_points ? rowSumOf<S8>(rows[r], sumBytes) : 0;
  }
  const int8_t *w = c.weights;
  accumulate<MR, NRV, S8>(acc, rows, w, quads, tailBytes);
  storeTile<MR, NRV>(c, row0, acc, rowSum);
}

/// Gathers output rows [row0, row0 + n) of the window into packed rows of
/// buf (stride packed_k; the bytes from K on are preset): per kernel row
/// one copy when its taps are contiguous and inside, per tap otherwise.
__attribute__((always_inline)) inline void gatherRows(const Ctx &c, int32_t row0, int32_t n,
                                                      uint8_t *buf) {
  const qc_qs8_gemm_params &p = *c.p;
  const uint8_t zp = c.zeroRow[0];
  const int32_t gin = p.group_in, tapRow = p.kernel_w * gin;
  const bool contiguous = p.dilation_w == 1 && gin == p.in_c;
  const uint8_t *xg = c.x + c.group * gin;
  int32_t oh = row0 / p.out_w, ow = row0 % p.out_w;
  for (int32_t r = 0; r < n; ++r) {
    uint8_t *dst = buf + r * p.packed_k;
    const int32_t ih0 = oh * p.stride_h - p.pad_top, iw0 = ow * p.stride_w - p.pad_left;
    const bool rowInside = iw0 >= 0 && iw0 + p.kernel_w <= p.in_w;
    for (int32_t kh = 0; kh < p.kernel_h; ++kh, dst += tapRow) {
      const int32_t ih = ih0 + kh * p.dilation_h;
      if (uint32_t(ih) >= uint32_t(p.in_h)) {
        memset(dst, zp, size_t(tapRow));
        continue;
      }
      const uint8_t *src = xg + int64_t(ih) * p.in_w * p.in_c;
      if (contiguous && rowInside) {
        memcpy(dst, src + int64_t(iw0) * p.in_c, size_t(tapRow));
        continue;
      }
      for (int32_t kw = 0; kw < p.kernel_w; ++kw) {
        const int32_t iw = iw0 + kw * p.dilation_w;
        if (uint32_t(iw) < uint32_t(p.in_w))
          memcpy(dst + kw * gin, src + int64_t(iw) * p.in_c, size_t(gin));
        else
          memset(dst + kw * gin, zp, size_t(gin));
      }
    }
    if (++ow == p.out_w) {
      ow = 0;
      ++oh;
    }
  }
}

/// How a node's tiles read their rows.
enum class Mode { Window, Rows };

/// tile<MR, NRV> (or tileRows) for a run-time MR in [1, max].
template <int NRV, int MR = kMaxAcc / NRV < QC_QS8_GEMM_MAX_MR ? kMaxAcc / NRV : QC_QS8_GEMM_MAX_MR>
__attribute__((always_inline)) inline void tileOfRows(const Ctx &c, int32_t row0, int32_t rows,
                                                      Mode mode, const uint8_t *const *rowPtrs,
                                                      int32_t quads, int32_t tail, int32_t sum) {
  if constexpr (MR >= 1) {
    if (rows == MR) {
      const bool s8 = c.p->input_signed != 0;
      if (mode == Mode::Rows)
        return s8 ? tileRows<MR, NRV, true>(c, row0, rowPtrs, quads, tail, sum)
                  : tileRows<MR, NRV, false>(c, row0, rowPtrs, quads, tail, sum);
      return s8 ? tile<MR, NRV, true>(c, row0) : tile<MR, NRV, false>(c, row0);
    }
    return tileOfRows<NRV, MR - 1>(c, row0, rows, mode, rowPtrs, quads, tail, sum);
  }
}

template <int NRV>
__attribute__((always_inline)) inline void runTasks(Ctx c, const void *const *consts, int64_t begin, int64_t end) {
  const qc_qs8_gemm_params &p = *c.p;
  const int32_t cols = p.n_blocks * NRV * kLanes;
  const int64_t pixels = int64_t(p.out_h) * p.out_w;
  const bool packed = p.packed_k > 0;
  const int64_t weightBlock =
      (packed ? p.packed_k / 4 : int64_t(p.kernel_h) * p.kernel_w * c.quadsPerTap) * NRV * kLanes *
      4;
  // Pointwise: every output pixel reads one input pixel, always inside.
  const bool pointwise = !packed && p.kernel_h == 1 && p.kernel_w == 1 && p.pad_top == 0 &&
                         p.pad_left == 0 && int64_t(p.out_h - 1) * p.stride_h < p.in_h &&
                         int64_t(p.out_w - 1) * p.stride_w < p.in_w;
  const bool unitStride = p.stride_h == 1 && p.stride_w == 1 && p.in_w == p.out_w;
  const Mode mode = packed || pointwise ? Mode::Rows : Mode::Window;
  int32_t quads = p.group_in / 4, tail = p.group_in % 4, sumBytes = p.group_in;
  if (packed) {
    quads = p.packed_k / 4;
    tail = 0;
    sumBytes = p.kernel_h * p.kernel_w * p.group_in;
  }
  // Packed rows live here (L1); the bytes from K to packed_k stay the zero
  // point.
  alignas(64) uint8_t packBuf[QC_QS8_GEMM_MAX_MR * QC_QS8_GEMM_MAX_PACKED_K];
  const uint8_t *rowPtrs[QC_QS8_GEMM_MAX_MR];
  if (packed) {
    for (int32_t r = 0; r < p.mr; ++r) {
      rowPtrs[r] = packBuf + r * p.packed_k;
      memset(packBuf + r * p.packed_k + sumBytes, c.zeroRow[0], size_t(p.packed_k - sumBytes));
    }
  }
  const int32_t outBytes = p.output_kind == QC_QS8_GEMM_OUT_F32 ? 4 : 1;
  const int32_t lastRows = int32_t(pixels - int64_t(p.row_tiles - 1) * p.mr);
  const uint8_t *x0 = c.x;
  uint8_t *y0 = c.y;
  // Decode the first task once; then step (row tile fastest) without
  // divisions.
  int64_t rest = begin;
  int32_t rowTile = int32_t(rest % p.row_tiles);
  rest /= p.row_tiles;
  int32_t sample = int32_t(rest % p.batch);
  rest /= p.batch;
  int32_t block = int32_t(rest % p.n_blocks), group = int32_t(rest / p.n_blocks);
  for (int64_t t = begin; t < end; ++t) {
    c.block = block;
    c.group = group;
    int64_t colBase = int64_t(group) * cols + int64_t(block) * NRV * kLanes;
    c.weights = static_cast<const int8_t *>(consts[0]) +
                (int64_t(group) * p.n_blocks + block) * weightBlock;
    c.bias = static_cast<const int32_t *>(consts[1]) + colBase;
    c.mult = static_cast<const float *>(consts[2]) + colBase;
    c.zw = static_cast<const int32_t *>(consts[4]) + colBase;
    c.x = x0 + sample * int64_t(p.in_h) * p.in_w * p.in_c;
    c.y = y0 + sample * pixels * p.out_c * outBytes;
    const int32_t row0 = rowTile * p.mr;
    const int32_t rows = rowTile == p.row_tiles - 1 ? lastRows : p.mr;
    if (packed) {
      gatherRows(c, row0, rows, packBuf);
    } else if (pointwise) {
      const uint8_t *xg = c.x + c.group * p.group_in;
      if (unitStride) {
        for (int32_t r = 0; r < p.mr; ++r)
          rowPtrs[r] = xg + int64_t(row0 + r) * p.in_c;
      } else {
        int32_t oh = row0 / p.out_w, ow = row0 % p.out_w;
        for (int32_t r = 0; r < p.mr; ++r) {
          rowPtrs[r] = xg + (int64_t(oh) * p.stride_h * p.in_w + int64_t(ow) * p.stride_w) * p.in_c;
          if (++ow == p.out_w) {
            ow = 0;
            ++oh;
          }
        }
      }
    }
    // Full tiles have p.mr rows, the last one lastRows: both constants of
    // the node, so its code references two tile variants, not all of them.
    if (rowTile == p.row_tiles - 1)
      tileOfRows<NRV>(c, row0, lastRows, mode, rowPtrs, quads, tail, sumBytes);
    else
      tileOfRows<NRV>(c, row0, p.mr, mode, rowPtrs, quads, tail, sumBytes);
    if (++rowTile < p.row_tiles)
      continue;
    rowTile = 0;
    if (++sample < p.batch)
      continue;
    sample = 0;
    if (++block < p.n_blocks)
      continue;
    block = 0;
    ++group;
  }
}

// The dispatch and task loop are always inlined into the entry, and the
// entry into the node's task function: the node's constant params then
// select its tile variants at compile time, and the unused ones are dropped.
__attribute__((always_inline)) inline void qs8Gemm(const qc_qs8_gemm_params *p, const void *const *consts, const void *const *in,
             void *const *out, int64_t begin, int64_t end) {
  Ctx c{};
  c.p = p;
  c.x = static_cast<const uint8_t *>(in[0]);
  c.y = static_cast<uint8_t *>(out[0]);
  c.zeroRow = static_cast<const uint8_t *>(consts[3]);
  c.quadsPerTap = (p->group_in + 3) / 4;
  switch (p->nrv) {
  case 1: return runTasks<1>(c, consts, begin, end);
  case 2: if constexpr (kMaxNrv >= 2) return runTasks<2>(c, consts, begin, end); break;
  case 3: if constexpr (kMaxNrv >= 3) return runTasks<3>(c, consts, begin, end); break;
  case 4: if constexpr (kMaxNrv >= 4) return runTasks<4>(c, consts, begin, end); break;
  }
}

} // namespace

// qc.QConv (dense or grouped) over NHWC activations.
QC_KERNEL_EXTERN void QC_KERNEL(qs8_conv2d)(QC_KERNEL_PARAMS) {
  qs8Gemm(static_cast<const qc_qs8_gemm_params *>(params_), consts, in, out, task_begin,
          task_end);
}

// qc.QMatMul with a constant right operand: the 1x1 case over rows.
QC_KERNEL_EXTERN void QC_KERNEL(qs8_gemm)(QC_KERNEL_PARAMS) {
  qs8Gemm(static_cast<const qc_qs8_gemm_params *>(params_), consts, in, out, task_begin,
          task_end);
}
