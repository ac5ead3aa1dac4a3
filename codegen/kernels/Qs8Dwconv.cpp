// Depthwise int8 convolution, NHWC, over output rows. qs8_dwconv_vec (the
// fast path, see Qs8Dwconv.h): u8 quads of 4 kernel rows per channel times s8
// weight quads with the ISA's 4 x u8 dot (vpdpbusd), accumulators in
// registers across 4 pixels, the vector requantization epilogue and packs
// back to channel order. qs8_dwconv (any case): int32 lanes per channel,
// vpmaddwd/vpdpwssd, scalar requantization. Padded taps read zx, which the
// folded bias cancels.
#include "codegen/kernels/Qs8Dwconv.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"

#if !QC_ISA_GENERIC
#include "codegen/kernels/Isa.h"
#endif

namespace {

using Params = qc_qs8_dwconv_params;

// The ISA policy of the channel-vector multiply-accumulate. A weight is an
// int32 lane holding the int16 pair (w, 0) and x is widened to an int32 lane
// (x, 0 or -1): vpmaddwd (or VNNI's vpdpwssd, fused with the add) of the two
// is exactly x * w.
#if QC_ISA_AVX512VNNI
using VecI = __m512i;
constexpr int64_t kLanes = 16;
inline VecI loadX(const uint8_t *p) {
  return _mm512_cvtepu8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
inline VecI loadX(const int8_t *p) {
  return _mm512_cvtepi8_epi32(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}
inline VecI loadI32(const void *p) { return _mm512_loadu_si512(p); }
inline void storeI32(void *p, VecI v) { _mm512_storeu_si512(p, v); }
inline VecI mac(VecI acc, VecI x, VecI w) { return _mm512_dpwssd_epi32(acc, x, w); }
#elif QC_ISA_AVX2 || QC_ISA_AVXVNNI
using VecI = __m256i;
constexpr int64_t kLanes = 8;
inline VecI loadX(const uint8_t *p) {
  return _mm256_cvtepu8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
}
inline VecI loadX(const int8_t *p) {
  return _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i *>(p)));
}
inline VecI loadI32(const void *p) { return _mm256_loadu_si256(static_cast<const VecI *>(p)); }
inline void storeI32(void *p, VecI v) { _mm256_storeu_si256(static_cast<VecI *>(p), v); }
#if QC_ISA_AVXVNNI
inline VecI mac(VecI acc, VecI x, VecI w) { return _mm256_dpwssd_avx_epi32(acc, x, w); }
#else
inline VecI mac(VecI acc, VecI x, VecI w) { return _mm256_add_epi32(acc, _mm256_madd_epi16(x, w)); }
#endif
#else
constexpr int64_t kLanes = 16;
#endif

// Channels per register block: 4 vectors of int32 accumulators.
constexpr int64_t kBlock = 4 * kLanes;

struct Consts {
  const int32_t *weights;
  const int32_t *bias;
  const float *multiplier;
  const void *padRow;
};

template <class YT> inline void storeOutput(const Params &p, YT *y, const uint32_t *acc,
                                            const float *multiplier, int64_t n) {
  for (int64_t c = 0; c < n; ++c) {
    int32_t a = static_cast<int32_t>(acc[c]);
    if constexpr (sizeof(YT) == 4) {
      float product = static_cast<float>(a) * multiplier[c];
      y[c] = product;
    } else {
      y[c] = static_cast<YT>(requantize(a, multiplier[c], p.out_zero_point, p.out_min,
                                        p.out_max));
    }
  }
}

// One block of n (<= kBlock; kBlock when Full) output channels starting at
// m0 of output pixel (oh, ow). Accumulation is in uint32: wrap-around is the
// int32 arithmetic the result is defined by, without signed-overflow UB.
template <bool Full, bool Multiplied, class XT, class YT>
inline void dwconvBlock(const Params &p, const Consts &k, const XT *x, YT *y, int64_t oh,
                        int64_t ow, int64_t m0, int64_t count) {
  const int64_t n = Full ? kBlock : count;
  uint32_t acc[kBlock];
  for (int64_t c = 0; c < n; ++c)
    acc[c] = static_cast<uint32_t>(k.bias[m0 + c]);
  const XT *pad = static_cast<const XT *>(k.padRow);
  for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
    int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
    bool rowInside = ih >= 0 && ih < p.in_h;
    for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
      int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
      bool inside = rowInside && iw >= 0 && iw < p.in_w;
      const XT *xp = inside ? x + (ih * p.in_w + iw) * p.channels : pad;
      const int32_t *wp = k.weights + (kh * p.kernel_w + kw) * p.out_channels + m0;
      if constexpr (Multiplied) {
        for (int64_t c = 0; c < n; ++c)
          acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[(m0 + c) / p.multiplier]) *
                                          static_cast<int16_t>(wp[c]));
      } else {
        xp += m0;
        for (int64_t c = 0; c < n; ++c)
          acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[c]) *
                                          static_cast<int16_t>(wp[c]));
      }
    }
  }
  storeOutput(p, y + (oh * p.out_w + ow) * p.out_channels + m0, acc, k.multiplier + m0, n);
}

#if !QC_ISA_GENERIC
// V * kLanes channels from m0 (no channel multiplier) of P adjacent output
// pixels from (oh, ow): P * V vector accumulators stay in registers across
// the taps (independent chains hide the multiply-add latency) and each
// weight vector load serves P pixels.
template <int P, int V, class XT, class YT>
inline void dwconvBlockVec(const Params &p, const Consts &k, const XT *x, YT *y, int64_t oh,
                           int64_t ow, int64_t m0) {
  VecI acc[P][V];
  for (int v = 0; v < V; ++v) {
    acc[0][v] = loadI32(k.bias + m0 + v * kLanes);
    for (int j = 1; j < P; ++j)
      acc[j][v] = acc[0][v];
  }
  const XT *pad = static_cast<const XT *>(k.padRow) + m0;
  for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
    int64_t ih = oh * p.stride_h - p.pad_top + kh * p.dilation_h;
    bool rowInside = ih >= 0 && ih < p.in_h;
    const XT *xRow = x + (rowInside ? ih : 0) * p.in_w * p.channels + m0;
    const int32_t *wRow = k.weights + kh * p.kernel_w * p.out_channels + m0;
    for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
      const XT *xp[P];
      for (int j = 0; j < P; ++j) {
        int64_t iw = (ow + j) * p.stride_w - p.pad_left + kw * p.dilation_w;
        bool inside = rowInside && iw >= 0 && iw < p.in_w;
        xp[j] = inside ? xRow + iw * p.channels : pad;
      }
      const int32_t *wp = wRow + kw * p.out_channels;
      for (int v = 0; v < V; ++v) {
        VecI w = loadI32(wp + v * kLanes);
        for (int j = 0; j < P; ++j)
          acc[j][v] = mac(acc[j][v], loadX(xp[j] + v * kLanes), w);
      }
    }
  }
  for (int j = 0; j < P; ++j) {
    uint32_t out[V * kLanes];
    for (int v = 0; v < V; ++v)
      storeI32(out + v * kLanes, acc[j][v]);
    storeOutput(p, y + (oh * p.out_w + ow + j) * p.out_channels + m0, out, k.multiplier + m0,
                V * kLanes);
  }
}

// All channels of P adjacent output pixels.
template <int P, class XT, class YT>
inline void dwconvPixelsVec(const Params &p, const Consts &k, const XT *x, YT *y, int64_t oh,
                            int64_t ow) {
  const int64_t m = p.out_channels;
  int64_t m0 = 0;
  for (; m0 + 4 * kLanes <= m; m0 += 4 * kLanes)
    dwconvBlockVec<P, 4>(p, k, x, y, oh, ow, m0);
  switch ((m - m0) / kLanes) {
  case 3: dwconvBlockVec<P, 3>(p, k, x, y, oh, ow, m0); m0 += 3 * kLanes; break;
  case 2: dwconvBlockVec<P, 2>(p, k, x, y, oh, ow, m0); m0 += 2 * kLanes; break;
  case 1: dwconvBlockVec<P, 1>(p, k, x, y, oh, ow, m0); m0 += kLanes; break;
  default: break;
  }
  if (m0 < m)
    for (int j = 0; j < P; ++j)
      dwconvBlock<false, false>(p, k, x, y, oh, ow + j, m0, m - m0);
}
#endif

template <bool Multiplied, class XT, class YT>
void dwconvRows(const Params &p, const Consts &k, const XT *x, YT *y, int64_t rowBegin,
                int64_t rowEnd) {
  const int64_t m = p.out_channels;
  const int64_t fullEnd = m - m % kBlock;
  for (int64_t oh = rowBegin; oh < rowEnd; ++oh)
    for (int64_t ow = 0; ow < p.out_w; ++ow) {
#if !QC_ISA_GENERIC
      if constexpr (!Multiplied) {
        if (ow + 1 < p.out_w) {
          dwconvPixelsVec<2>(p, k, x, y, oh, ow);
          ++ow;
        } else {
          dwconvPixelsVec<1>(p, k, x, y, oh, ow);
        }
        continue;
      }
#endif
      for (int64_t m0 = 0; m0 < fullEnd; m0 += kBlock)
        dwconvBlock<true, Multiplied>(p, k, x, y, oh, ow, m0, kBlock);
      if (fullEnd < m)
        dwconvBlock<false, Multiplied>(p, k, x, y, oh, ow, fullEnd, m - fullEnd);
    }
}

template <class XT, class YT>
void dwconvTyped(const Params &p, const Consts &k, const void *x, void *y, int64_t b,
                 int64_t e) {
  if (p.multiplier == 1)
    dwconvRows<false>(p, k, static_cast<const XT *>(x), static_cast<YT *>(y), b, e);
  else
    dwconvRows<true>(p, k, static_cast<const XT *>(x), static_cast<YT *>(y), b, e);
}

template <class XT>
void dwconvIn(const Params &p, const Consts &k, const void *x, void *y, int64_t b, int64_t e) {
  switch (p.out_type) {
  case QC_Q8_U8: dwconvTyped<XT, uint8_t>(p, k, x, y, b, e); break;
  case QC_Q8_S8: dwconvTyped<XT, int8_t>(p, k, x, y, b, e); break;
  default: dwconvTyped<XT, float>(p, k, x, y, b, e); break;
  }
}


#if !QC_ISA_GENERIC
// ---- qs8_dwconv_vec: 4 kernel rows per u8 quad, the ISA's 4 x u8 dot. ----

// Every function of the path is inlined into each node's step, so that its
// constant params (shapes, strides, zero points) fold: ModuleBuilder would
// otherwise keep a large body shared (and unspecialized) by all dw nodes.
#define QC_DW_INLINE __attribute__((always_inline)) inline

using Pol = isa::Policy;
constexpr int64_t kVecLanes = Pol::kLanes;  // int32 lanes per vector
constexpr int64_t kBlockCh = 4 * kVecLanes; // channels per block (= bytes per row slice)

// Byte-vector operations of one row slice (kBlockCh channels).
#if QC_ISA_AVX512VNNI
using VB = __m512i;
using Mask = __mmask64;
inline VB loadSlice(const uint8_t *p, Mask m, bool masked) {
  return masked ? _mm512_maskz_loadu_epi8(m, p) : _mm512_loadu_si512(p);
}
inline VB splatByte(int v) { return _mm512_set1_epi8(char(v)); }
inline VB xorB(VB a, VB b) { return _mm512_xor_si512(a, b); }
inline VB unpackLo8(VB a, VB b) { return _mm512_unpacklo_epi8(a, b); }
inline VB unpackHi8(VB a, VB b) { return _mm512_unpackhi_epi8(a, b); }
inline VB unpackLo16(VB a, VB b) { return _mm512_unpacklo_epi16(a, b); }
inline VB unpackHi16(VB a, VB b) { return _mm512_unpackhi_epi16(a, b); }
inline VB packs32(VB a, VB b) { return _mm512_packs_epi32(a, b); }
inline VB packU8(VB a, VB b) { return _mm512_packus_epi16(a, b); }
inline VB packS8(VB a, VB b) { return _mm512_packs_epi16(a, b); }
inline VB addSat16(VB a, int v) { return _mm512_adds_epi16(a, _mm512_set1_epi16(short(v))); }
inline VB clampU8(VB a, int lo, int hi) {
  return _mm512_min_epu8(_mm512_max_epu8(a, splatByte(lo)), splatByte(hi));
}
inline VB clampS8(VB a, int lo, int hi) {
  return _mm512_min_epi8(_mm512_max_epi8(a, splatByte(lo)), splatByte(hi));
}
inline void storeSlice(void *p, VB v, Mask m, bool masked) {
  if (masked)
    _mm512_mask_storeu_epi8(p, m, v);
  else
    _mm512_storeu_si512(p, v);
}
inline Mask sliceMask(int64_t n) { return n >= 64 ? ~Mask(0) : (Mask(1) << n) - 1; }
#else
using VB = __m256i;
using Mask = int; // AVX2 blocks are never partial (the emitter needs C >= 32)
inline VB loadSlice(const uint8_t *p, Mask, bool) {
  return _mm256_loadu_si256(reinterpret_cast<const VB *>(p));
}
inline VB splatByte(int v) { return _mm256_set1_epi8(char(v)); }
inline VB xorB(VB a, VB b) { return _mm256_xor_si256(a, b); }
inline VB unpackLo8(VB a, VB b) { return _mm256_unpacklo_epi8(a, b); }
inline VB unpackHi8(VB a, VB b) { return _mm256_unpackhi_epi8(a, b); }
inline VB unpackLo16(VB a, VB b) { return _mm256_unpacklo_epi16(a, b); }
inline VB unpackHi16(VB a, VB b) { return _mm256_unpackhi_epi16(a, b); }
inline VB packs32(VB a, VB b) { return _mm256_packs_epi32(a, b); }
inline VB packU8(VB a, VB b) { return _mm256_packus_epi16(a, b); }
inline VB packS8(VB a, VB b) { return _mm256_packs_epi16(a, b); }
inline VB addSat16(VB a, int v) { return _mm256_adds_epi16(a, _mm256_set1_epi16(short(v))); }
inline VB clampU8(VB a, int lo, int hi) {
  return _mm256_min_epu8(_mm256_max_epu8(a, splatByte(lo)), splatByte(hi));
}
inline VB clampS8(VB a, int lo, int hi) {
  return _mm256_min_epi8(_mm256_max_epi8(a, splatByte(lo)), splatByte(hi));
}
inline void storeSlice(void *p, VB v, Mask, bool) {
  _mm256_storeu_si256(reinterpret_cast<VB *>(p), v);
}
inline Mask sliceMask(int64_t) { return 0; }
#endif

// Output pixels per interior step: P * 4 accumulators stay in registers.
constexpr int kPixels = kVecLanes == 16 ? 4 : 2;

struct VecConsts {
  const int8_t *weights;
  const int32_t *bias;
  const float *multiplier;
};

// One row of one channel block: the row pointers of the kernel rows (null
// where the row is padding), the slice mask and the zx splat.
template <class XT> struct RowCtx {
  const uint8_t *rows[4 * QC_DWCONV_VEC_MAX_ROW_GROUPS];
  VB zx;
  Mask mask;
  bool masked;
};

// The u8 slice of kernel row r at input column iw: zx where padded.
// PV > 1 (AVX-512 only): a slice spans PV pixels of C = kBlockCh / PV
// channels, and a border slice loads the bytes inside the row, zx elsewhere.
template <bool RowChecked, bool ColChecked, int PV, class XT>
QC_DW_INLINE VB slice(const Params &p, const RowCtx<XT> &rc, int64_t r, int64_t iw) {
  if (r >= p.kernel_h || (RowChecked && !rc.rows[r]))
    return rc.zx;
#if QC_ISA_AVX512VNNI
  if constexpr (ColChecked && PV > 1) {
    // Bytes [lo, hi) of the slice lie inside the input row.
    const int64_t off = iw * p.channels, rowBytes = p.in_w * p.channels;
    const int64_t lo = off < 0 ? -off : 0;
    const int64_t hi = rowBytes - off > kBlockCh ? kBlockCh : rowBytes - off;
    if (hi <= lo)
      return rc.zx;
    Mask m = sliceMask(hi) & ~sliceMask(lo);
    if (rc.masked)
      m &= rc.mask;
    VB raw = rc.zx;
    if constexpr (static_cast<XT>(-1) < 0)
      raw = xorB(raw, splatByte(0x80));
    VB v = _mm512_mask_loadu_epi8(raw, m, rc.rows[r] + off);
    if constexpr (static_cast<XT>(-1) < 0)
      v = xorB(v, splatByte(0x80));
    return v;
  }
#endif
  if (ColChecked && (iw < 0 || iw >= p.in_w))
    return rc.zx;
  VB v = loadSlice(rc.rows[r] + iw * p.channels, rc.mask, rc.masked);
  if constexpr (sizeof(XT) == 1 && static_cast<XT>(-1) < 0)
    v = xorB(v, splatByte(0x80)); // s8 -> u8 = x + 128
  return v;
}

// The 4 quad vectors of kernel rows 4g..4g+3 at input column iw: byte and
// word unpacks interleave the rows, so vector j lane i holds channel
// qcDwconvLaneChannel(j, i).
template <bool RowChecked, bool ColChecked, int PV, class XT>
QC_DW_INLINE void column(const Params &p, const RowCtx<XT> &rc, int64_t g, int64_t iw, VB q[4]) {
  VB a = slice<RowChecked, ColChecked, PV>(p, rc, 4 * g, iw);
  VB b = slice<RowChecked, ColChecked, PV>(p, rc, 4 * g + 1, iw);
  VB c = slice<RowChecked, ColChecked, PV>(p, rc, 4 * g + 2, iw);
  VB d = slice<RowChecked, ColChecked, PV>(p, rc, 4 * g + 3, iw);
  VB abLo = unpackLo8(a, b), abHi = unpackHi8(a, b);
  VB cdLo = unpackLo8(c, d), cdHi = unpackHi8(c, d);
  q[0] = unpackLo16(abLo, cdLo);
  q[1] = unpackHi16(abLo, cdLo);
  q[2] = unpackLo16(abHi, cdHi);
  q[3] = unpackHi16(abHi, cdHi);
}

// NP adjacent output pixels from ow of one channel block (PV > 1: of PV
// pixels each). SW > 0: the stride is SW, the kernel KW wide, dilation 1
// (checked by the caller), and
// each input column is unpacked once for all the pixels that use it; SW = 0:
// any geometry, a column per pixel and tap.
template <int NP, int SW, int KW, int PV, bool RowChecked, bool ColChecked, class XT,
          class YT>
QC_DW_INLINE void dwconvVecPixels(const Params &p, const VecConsts &k, const RowCtx<XT> &rc,
                            int64_t block, YT *yRow, int64_t ow) {
  using I32 = Pol::I32;
  const int64_t groups = (p.kernel_h + 3) / 4;
  I32 acc[NP][4];
  for (int j = 0; j < 4; ++j) {
    acc[0][j] = Pol::load(k.bias + block * kBlockCh + j * kVecLanes);
    for (int n = 1; n < NP; ++n)
      acc[n][j] = acc[0][j];
  }
  for (int64_t g = 0; g < groups; ++g) {
    const int8_t *wg = k.weights + (block * groups + g) * p.kernel_w * 4 * kBlockCh;
    if constexpr (SW > 0) {
      const int64_t iw0 = ow * SW - p.pad_left;
#pragma clang loop unroll(full)
      for (int e = 0; e < (NP - 1) * SW + KW; ++e) {
        VB q[4];
        column<RowChecked, ColChecked, PV>(p, rc, g, iw0 + e, q);
#pragma clang loop unroll(full)
        for (int n = 0; n < NP; ++n) {
          const int kw = e - n * SW;
          if (kw < 0 || kw >= KW)
            continue;
          for (int j = 0; j < 4; ++j)
            acc[n][j] = Pol::dot(acc[n][j], Pol::acts(q[j]),
                                 Pol::loadWeights(wg + (kw * 4 + j) * kBlockCh));
        }
      }
    } else {
      for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
        Pol::Weights w[4];
        for (int j = 0; j < 4; ++j)
          w[j] = Pol::loadWeights(wg + (kw * 4 + j) * kBlockCh);
        for (int n = 0; n < NP; ++n) {
          VB q[4];
          column<RowChecked, ColChecked, PV>(
              p, rc, g, (ow + n) * p.stride_w - p.pad_left + kw * p.dilation_w, q);
          for (int j = 0; j < 4; ++j)
            acc[n][j] = Pol::dot(acc[n][j], Pol::acts(q[j]), w[j]);
        }
      }
    }
  }
  const isa::Requant req{float(p.out_min - p.out_zero_point),
                         float(p.out_max - p.out_zero_point), p.out_zero_point};
  const float *mult = k.multiplier + block * kBlockCh;
  constexpr bool kSigned = static_cast<YT>(-1) < 0;
  for (int n = 0; n < NP; ++n) {
    I32 r[4];
    VB out;
    if (p.narrow_clamp) {
      // Round, narrow with saturation (keeps out-of-range values out of
      // range on their side), add zy, clamp: Requant's integer.
      for (int j = 0; j < 4; ++j)
        r[j] = Pol::scaleRound(acc[n][j], mult + j * kVecLanes);
      VB lo = packs32(r[0], r[1]), hi = packs32(r[2], r[3]);
      if (p.out_zero_point != 0) {
        lo = addSat16(lo, p.out_zero_point);
        hi = addSat16(hi, p.out_zero_point);
      }
      out = kSigned ? clampS8(packS8(lo, hi), p.out_min, p.out_max)
                    : clampU8(packU8(lo, hi), p.out_min, p.out_max);
    } else {
      for (int j = 0; j < 4; ++j)
        r[j] = Pol::requantize(acc[n][j], mult + j * kVecLanes, req);
      VB lo = packs32(r[0], r[1]), hi = packs32(r[2], r[3]);
      out = kSigned ? packS8(lo, hi) : packU8(lo, hi);
    }
    storeSlice(yRow + (ow + n) * PV * p.out_channels, out, rc.mask, rc.masked);
  }
}

// The interior pixels [ow, owHi) in steps of kPixels, column reuse when the
// geometry is SW x KW.
template <int SW, int KW, bool RowChecked, class XT, class YT>
QC_DW_INLINE int64_t dwconvVecInterior(const Params &p, const VecConsts &k, const RowCtx<XT> &rc,
                                 int64_t block, YT *yRow, int64_t ow, int64_t owHi) {
  for (; ow + kPixels <= owHi; ow += kPixels)
    dwconvVecPixels<kPixels, SW, KW, 1, RowChecked, false>(p, k, rc, block, yRow, ow);
  return ow;
}

// One output row (all blocks): borders with column checks, the interior in
// steps of kPixels without.
template <bool RowChecked, class XT, class YT>
QC_DW_INLINE void dwconvVecRow(const Params &p, const VecConsts &k, RowCtx<XT> &rc,
                         const XT *x, YT *y, int64_t oh) {
  const int64_t c = p.channels;
  // Interior columns: every tap inside [0, in_w).
  int64_t owLo = (p.pad_left + p.stride_w - 1) / p.stride_w;
  int64_t last = p.in_w - 1 - (p.kernel_w - 1) * p.dilation_w + p.pad_left; // ow * sw <= last
  int64_t owHi = last < 0 ? 0 : last / p.stride_w + 1;
  owHi = owHi > p.out_w ? p.out_w : owHi;
  owLo = owLo > owHi ? owHi : owLo;
  const int64_t groups = (p.kernel_h + 3) / 4;
  for (int64_t b = 0; b < qcDwconvBlocks(c, kBlockCh); ++b) {
    const int64_t start = qcDwconvBlockStart(c, kBlockCh, b);
    rc.masked = c < kBlockCh;
    rc.mask = sliceMask(c);
    for (int64_t r = 0; r < 4 * groups; ++r) {
      const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
      rc.rows[r] = r < p.kernel_h && ih >= 0 && ih < p.in_h
                       ? reinterpret_cast<const uint8_t *>(x + ih * p.in_w * c + start)
                       : nullptr;
    }
    YT *yRow = y + oh * p.out_w * p.out_channels + start;
    int64_t ow = 0;
    for (; ow < owLo; ++ow)
      dwconvVecPixels<1, 0, 0, 1, RowChecked, true>(p, k, rc, b, yRow, ow);
    // Column reuse pays at stride 1 (6 columns for 4 pixels instead of 12);
    // at stride 2 (9 for 4) the longer unrolled body measured slower.
    if (p.kernel_w == 3 && p.dilation_w == 1 && p.stride_w == 1)
      ow = dwconvVecInterior<1, 3, RowChecked>(p, k, rc, b, yRow, ow, owHi);
    else
      ow = dwconvVecInterior<0, 0, RowChecked>(p, k, rc, b, yRow, ow, owHi);
    for (; ow < owHi; ++ow)
      dwconvVecPixels<1, 0, 0, 1, RowChecked, false>(p, k, rc, b, yRow, ow);
    for (; ow < p.out_w; ++ow)
      dwconvVecPixels<1, 0, 0, 1, RowChecked, true>(p, k, rc, b, yRow, ow);
  }
}

#if QC_ISA_AVX512VNNI
// One output row when C = kBlockCh / PV (stride 1, 3 wide, dilation 1): a
// slice holds PV adjacent pixels, so no lane is idle; super-pixel u covers
// output pixels [u * PV, u * PV + PV).
template <int PV, bool RowChecked, class XT, class YT>
QC_DW_INLINE void dwconvVecRowPacked(const Params &p, const VecConsts &k, RowCtx<XT> &rc,
                               const XT *x, YT *y, int64_t oh) {
  const int64_t c = p.channels;
  for (int64_t r = 0; r < (p.kernel_h + 3) / 4 * 4; ++r) {
    const int64_t ih = oh * p.stride_h - p.pad_top + r * p.dilation_h;
    rc.rows[r] = r < p.kernel_h && ih >= 0 && ih < p.in_h
                     ? reinterpret_cast<const uint8_t *>(x + ih * p.in_w * c)
                     : nullptr;
  }
  rc.masked = false;
  rc.mask = ~Mask(0);
  // Interior super-pixels: taps from u * PV - pad_left to u * PV + PV + 1 -
  // pad_left inside the row.
  const int64_t units = (p.out_w + PV - 1) / PV;
  int64_t uLo = (p.pad_left + PV - 1) / PV;
  int64_t last = p.in_w - PV - 2 + p.pad_left; // u * PV <= last
  int64_t uHi = last < 0 ? 0 : last / PV + 1;
  const int64_t fullUnits = p.out_w / PV;
  uHi = uHi > fullUnits ? fullUnits : uHi;
  uLo = uLo > uHi ? uHi : uLo;
  YT *yRow = y + oh * p.out_w * p.out_channels;
  int64_t u = 0;
  for (; u < uLo; ++u)
    dwconvVecPixels<1, PV, 3, PV, RowChecked, true>(p, k, rc, 0, yRow, u);
  for (; u + kPixels <= uHi; u += kPixels)
    dwconvVecPixels<kPixels, PV, 3, PV, RowChecked, false>(p, k, rc, 0, yRow, u);
  for (; u < uHi; ++u)
    dwconvVecPixels<1, PV, 3, PV, RowChecked, false>(p, k, rc, 0, yRow, u);
  for (; u < units; ++u) {
    const int64_t bytes = (p.out_w - u * PV) * c;
    rc.masked = bytes < kBlockCh;
    rc.mask = sliceMask(bytes);
    dwconvVecPixels<1, PV, 3, PV, RowChecked, true>(p, k, rc, 0, yRow, u);
  }
}
#endif

template <class XT, class YT>
QC_DW_INLINE void dwconvVecRows(const Params &p, const VecConsts &k, const void *xv, void *yv, int64_t b,
                   int64_t e) {
  const XT *x = static_cast<const XT *>(xv);
  YT *y = static_cast<YT *>(yv);
  RowCtx<XT> rc;
  rc.zx = splatByte(p.in_zero_point_u8);
  for (int64_t oh = b; oh < e; ++oh) {
    const int64_t ih0 = oh * p.stride_h - p.pad_top;
    const int64_t ihN = ih0 + (p.kernel_h - 1) * p.dilation_h;
    const bool inside = ih0 >= 0 && ihN < p.in_h;
#if QC_ISA_AVX512VNNI
    if (p.pixels_per_block == 2) {
      if (inside)
        dwconvVecRowPacked<2, false>(p, k, rc, x, y, oh);
      else
        dwconvVecRowPacked<2, true>(p, k, rc, x, y, oh);
      continue;
    }
    if (p.pixels_per_block == 4) {
      if (inside)
        dwconvVecRowPacked<4, false>(p, k, rc, x, y, oh);
      else
        dwconvVecRowPacked<4, true>(p, k, rc, x, y, oh);
      continue;
    }
#endif
    if (inside)
      dwconvVecRow<false>(p, k, rc, x, y, oh);
    else
      dwconvVecRow<true>(p, k, rc, x, y, oh);
  }
}
#endif

#if QC_ISA_GENERIC
// ---- qs8_dwconv_vec, scalar: the packed layout with B = 16 channels (every
// ISA has the entry; the emitter gives the generic ISA qs8_dwconv, faster). ----
template <class XT, class YT>
void dwconvVecRows(const Params &p, const int8_t *weights, const int32_t *bias,
                   const float *multiplier, const void *xv, void *yv, int64_t rb, int64_t re) {
  const XT *x = static_cast<const XT *>(xv);
  YT *y = static_cast<YT *>(yv);
  const int64_t c = p.channels, bw = p.block_channels, lanes = bw / 4;
  const int64_t groups = (p.kernel_h + 3) / 4;
  const int32_t flip = static_cast<XT>(-1) < 0 ? 128 : 0;
  for (int64_t oh = rb; oh < re; ++oh)
    for (int64_t b = 0; b < qcDwconvBlocks(c, bw); ++b) {
      const int64_t start = qcDwconvBlockStart(c, bw, b);
      for (int64_t ow = 0; ow < p.out_w; ++ow)
        for (int64_t j = 0; j < 4; ++j)
          for (int64_t i = 0; i < lanes; ++i) {
            const int64_t ch = start + qcDwconvLaneChannel(j, i);
            if (ch >= c)
              continue;
            uint32_t acc = static_cast<uint32_t>(bias[b * bw + j * lanes + i]);
            for (int64_t g = 0; g < groups; ++g)
              for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
                const int8_t *wp =
                    weights + (((b * groups + g) * p.kernel_w + kw) * 4 + j) * bw + i * 4;
                const int64_t iw = ow * p.stride_w - p.pad_left + kw * p.dilation_w;
                for (int64_t s = 0; s < 4; ++s) {
                  const int64_t ih = oh * p.stride_h - p.pad_top + (4 * g + s) * p.dilation_h;
                  const bool inside = ih >= 0 && ih < p.in_h && iw >= 0 && iw < p.in_w;
                  const int32_t xu = inside ? int32_t(x[(ih * p.in_w + iw) * c + ch]) + flip
                                            : p.in_zero_point_u8;
                  acc += static_cast<uint32_t>(xu * int32_t(wp[s]));
                }
              }
            y[(oh * p.out_w + ow) * p.out_channels + ch] = static_cast<YT>(
                requantize(static_cast<int32_t>(acc), multiplier[b * bw + j * lanes + i],
                           p.out_zero_point, p.out_min, p.out_max));
          }
    }
}
#endif
} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(qs8_dwconv)(QC_KERNEL_PARAMS) {
  const Params &p = *static_cast<const Params *>(params_);
  Consts k{static_cast<const int32_t *>(consts[0]), static_cast<const int32_t *>(consts[1]),
           static_cast<const float *>(consts[2]), consts[3]};
  if (p.in_type == QC_Q8_U8)
    dwconvIn<uint8_t>(p, k, in[0], out[0], task_begin, task_end);
  else
    dwconvIn<int8_t>(p, k, in[0], out[0], task_begin, task_end);
}

QC_KERNEL_EXTERN void QC_KERNEL(qs8_dwconv_vec)(QC_KERNEL_PARAMS) {
  const Params &p = *static_cast<const Params *>(params_);
#if QC_ISA_GENERIC
  const int8_t *w = static_cast<const int8_t *>(consts[0]);
  const int32_t *bias = static_cast<const int32_t *>(consts[1]);
  const float *mult = static_cast<const float *>(consts[2]);
#define QC_DW_VEC_CALL(XT, YT) dwconvVecRows<XT, YT>(p, w, bias, mult, in[0], out[0], task_begin, task_end)
#else
  VecConsts k{static_cast<const int8_t *>(consts[0]), static_cast<const int32_t *>(consts[1]),
              static_cast<const float *>(consts[2])};
#define QC_DW_VEC_CALL(XT, YT) dwconvVecRows<XT, YT>(p, k, in[0], out[0], task_begin, task_end)
#endif
  if (p.in_type == QC_Q8_U8) {
    if (p.out_type == QC_Q8_U8)
      QC_DW_VEC_CALL(uint8_t, uint8_t);
    else
      QC_DW_VEC_CALL(uint8_t, int8_t);
  } else {
    if (p.out_type == QC_Q8_U8)
      QC_DW_VEC_CALL(int8_t, uint8_t);
    else
      QC_DW_VEC_CALL(int8_t, int8_t);
  }
#undef QC_DW_VEC_CALL
}
