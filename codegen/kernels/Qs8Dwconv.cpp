// Depthwise int8 convolution, NHWC: each output pixel is a channel-vector
// sum over the kernel taps, int32 accumulators in registers across a block of
// channels, the per-channel requantization fused in the epilogue.
// Padded taps read a constant row of zx, so the folded bias stays exact.
#include "codegen/kernels/Qs8Dwconv.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"

#if !QC_ISA_GENERIC
#include <immintrin.h>
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
