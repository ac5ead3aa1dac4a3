// Depthwise int8 convolution, NHWC: each output pixel is a channel-vector
// sum over the kernel taps, int32 accumulators in registers across a block of
// channels, the per-channel requantization fused in the epilogue.
// Padded taps read a constant row of zx, so the folded bias stays exact.
#include "codegen/kernels/Qs8Dwconv.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"

namespace {

using Params = qc_qs8_dwconv_params;

// Channels per register block: 4 zmm / 8 ymm of int32 accumulators.
constexpr int64_t kBlock = 64;

struct Consts {
  const int16_t *weights;
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
      const int16_t *wp = k.weights + (kh * p.kernel_w + kw) * p.out_channels + m0;
      if constexpr (Multiplied) {
        for (int64_t c = 0; c < n; ++c)
          acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[(m0 + c) / p.multiplier]) *
                                          static_cast<int32_t>(wp[c]));
      } else {
        xp += m0;
        for (int64_t c = 0; c < n; ++c)
          acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[c]) *
                                          static_cast<int32_t>(wp[c]));
      }
    }
  }
  storeOutput(p, y + (oh * p.out_w + ow) * p.out_channels + m0, acc, k.multiplier + m0, n);
}

template <bool Multiplied, class XT, class YT>
void dwconvRows(const Params &p, const Consts &k, const XT *x, YT *y, int64_t rowBegin,
                int64_t rowEnd) {
  const int64_t m = p.out_channels;
  const int64_t fullEnd = m - m % kBlock;
  for (int64_t oh = rowBegin; oh < rowEnd; ++oh)
    for (int64_t ow = 0; ow < p.out_w; ++ow) {
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
  Consts k{static_cast<const int16_t *>(consts[0]), static_cast<const int32_t *>(consts[1]),
           static_cast<const float *>(consts[2]), consts[3]};
  if (p.in_type == QC_Q8_U8)
    dwconvIn<uint8_t>(p, k, in[0], out[0], task_begin, task_end);
  else
    dwconvIn<int8_t>(p, k, in[0], out[0], task_begin, task_end);
}
