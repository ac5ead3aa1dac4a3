// Pooling kernels over NHWC activations, vectorized over channels in blocks:
// int8 average pool (exact int32 window sums, one requantization whose
// multiplier depends on the window's tap count), max pool (u8/s8/f32),
// global average pool, and qc.QReduceMean over logical layouts.
#include "codegen/kernels/Qs8Pool.h"

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/QuantMath.h"

namespace {

constexpr int64_t kBlock = 64;

template <class Y>
inline void storeAcc(Y *y, int32_t acc, float multiplier, int32_t zp, int32_t lo, int32_t hi) {
  if constexpr (sizeof(Y) == 4) {
    float product = static_cast<float>(acc) * multiplier;
    *y = product;
  } else {
    *y = static_cast<Y>(requantize(acc, multiplier, zp, lo, hi));
  }
}

// Taps of one window dimension: in-bounds range [first, last) of k, and the
// count of taps inside the explicitly padded input.
struct TapRange {
  int64_t first = 0, last = 0, padded = 0;
};

inline TapRange tapRange(int64_t out, int64_t stride, int64_t padBegin, int64_t padEnd,
                         int64_t kernel, int64_t dilation, int64_t extent) {
  TapRange r;
  r.first = kernel;
  for (int64_t k = 0; k < kernel; ++k) {
    int64_t pos = out * stride - padBegin + k * dilation;
    if (pos >= 0 && pos < extent) {
      r.first = r.first < k ? r.first : k;
      r.last = k + 1;
    }
    r.padded += pos >= -padBegin && pos < extent + padEnd;
  }
  if (r.first > r.last)
    r.first = r.last;
  return r;
}

// Calls fn(oh, ow, rows, cols) per output pixel of rows [rb, re).
template <class Fn>
inline void forEachPixel(const qc_pool2d_window &w, int64_t rb, int64_t re, Fn &&fn) {
  for (int64_t oh = rb; oh < re; ++oh) {
    TapRange rows = tapRange(oh, w.stride_h, w.pad_top, w.pad_bottom, w.kernel_h, w.dilation_h,
                             w.in_h);
    for (int64_t ow = 0; ow < w.out_w; ++ow) {
      TapRange cols = tapRange(ow, w.stride_w, w.pad_left, w.pad_right, w.kernel_w,
                               w.dilation_w, w.in_w);
      fn(oh, ow, rows, cols);
    }
  }
}

// In-bounds taps within [first, last) can still fall between dilated
// positions outside the input only at the ends, so every k in the range is
// inside: positions are monotonic in k.
template <class X, class Y>
void avgpoolTyped(const qc_qs8_avgpool2d_params &p, const X *x, Y *y, int64_t rb, int64_t re) {
  const qc_pool2d_window &w = p.window;
  const int64_t channels = w.channels;
  forEachPixel(w, rb, re, [&](int64_t oh, int64_t ow, TapRange rows, TapRange cols) {
    int64_t valid = (rows.last - rows.first) * (cols.last - cols.first);
    int64_t count = p.count_include_pad ? rows.padded * cols.padded : valid;
    double inScale = p.in_scale / static_cast<double>(count > 1 ? count : 1);
    float multiplier = p.out_scale == 0 ? static_cast<float>(inScale)
                                        : static_cast<float>(inScale / p.out_scale);
    uint32_t offset = static_cast<uint32_t>(-valid * p.in_zero_point);
    Y *yp = y + (oh * w.out_w + ow) * channels;
    for (int64_t c0 = 0; c0 < channels; c0 += kBlock) {
      int64_t n = channels - c0 < kBlock ? channels - c0 : kBlock;
      uint32_t acc[kBlock];
      for (int64_t c = 0; c < n; ++c)
        acc[c] = offset;
      for (int64_t kh = rows.first; kh < rows.last; ++kh) {
        int64_t ih = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
        for (int64_t kw = cols.first; kw < cols.last; ++kw) {
          int64_t iw = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
          const X *xp = x + (ih * w.in_w + iw) * channels + c0;
          for (int64_t c = 0; c < n; ++c)
            acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[c]));
        }
      }
      for (int64_t c = 0; c < n; ++c)
        storeAcc(yp + c0 + c, static_cast<int32_t>(acc[c]), multiplier, p.out_zero_point,
                 p.out_min, p.out_max);
    }
  });
}

template <class X>
void avgpoolIn(const qc_qs8_avgpool2d_params &p, const void *x, void *y, int64_t rb,
               int64_t re) {
  switch (p.out_type) {
  case QC_Q8_U8: avgpoolTyped(p, static_cast<const X *>(x), static_cast<uint8_t *>(y), rb, re); break;
  case QC_Q8_S8: avgpoolTyped(p, static_cast<const X *>(x), static_cast<int8_t *>(y), rb, re); break;
  default: avgpoolTyped(p, static_cast<const X *>(x), static_cast<float *>(y), rb, re); break;
  }
}

template <class T> inline T takeMax(T v, T best) {
  if constexpr (sizeof(T) == 4)
    return (v > best || best != best) ? v : best; // NaN loses unless all are NaN
  else
    return v > best ? v : best;
}

template <class T> constexpr T lowestOf() {
  if constexpr (sizeof(T) == 4)
    return -__builtin_inff();
  else
    return static_cast<T>(-1) < 0 ? T(-128) : T(0);
}

template <class T>
void maxpoolTyped(const qc_maxpool2d_params &p, const T *x, T *y, int64_t rb, int64_t re) {
  const qc_pool2d_window &w = p.window;
  const int64_t channels = w.channels;
  forEachPixel(w, rb, re, [&](int64_t oh, int64_t ow, TapRange rows, TapRange cols) {
    T *yp = y + (oh * w.out_w + ow) * channels;
    bool empty = rows.first == rows.last || cols.first == cols.last;
    for (int64_t c0 = 0; c0 < channels; c0 += kBlock) {
      int64_t n = channels - c0 < kBlock ? channels - c0 : kBlock;
      T best[kBlock];
      if (empty) {
        for (int64_t c = 0; c < n; ++c)
          best[c] = lowestOf<T>();
      } else {
        int64_t ih0 = oh * w.stride_h - w.pad_top + rows.first * w.dilation_h;
        int64_t iw0 = ow * w.stride_w - w.pad_left + cols.first * w.dilation_w;
        const T *first = x + (ih0 * w.in_w + iw0) * channels + c0;
        for (int64_t c = 0; c < n; ++c)
          best[c] = first[c];
        if (rows.first == 0 && rows.last == w.kernel_h && cols.first == 0 &&
            cols.last == w.kernel_w) {
          // The whole window is inside: constant trip counts once the
          // params are inlined, so the taps unroll.
          for (int64_t kh = 0; kh < w.kernel_h; ++kh)
            for (int64_t kw = 0; kw < w.kernel_w; ++kw) {
              const T *xp = first + (kh * w.dilation_h * w.in_w + kw * w.dilation_w) * channels;
              for (int64_t c = 0; c < n; ++c)
                best[c] = takeMax(xp[c], best[c]);
            }
        } else {
          for (int64_t kh = rows.first; kh < rows.last; ++kh) {
          int64_t ih = oh * w.stride_h - w.pad_top + kh * w.dilation_h;
          for (int64_t kw = cols.first; kw < cols.last; ++kw) {
            int64_t iw = ow * w.stride_w - w.pad_left + kw * w.dilation_w;
            const T *xp = x + (ih * w.in_w + iw) * channels + c0;
              for (int64_t c = 0; c < n; ++c)
                best[c] = takeMax(xp[c], best[c]);
            }
          }
        }
      }
      for (int64_t c = 0; c < n; ++c)
        yp[c0 + c] = best[c];
    }
  });
}

template <class X, class Y>
void globalAvgpoolTyped(const qc_qs8_global_avgpool_params &p, const X *x, Y *y, int64_t tb,
                        int64_t te) {
  for (int64_t t = tb; t < te; ++t) {
    int64_t c0 = t * kBlock;
    int64_t n = p.channels - c0 < kBlock ? p.channels - c0 : kBlock;
    uint32_t acc[kBlock];
    uint32_t offset = static_cast<uint32_t>(-p.spatial * p.in_zero_point);
    for (int64_t c = 0; c < n; ++c)
      acc[c] = offset;
    if (p.channel_stride == 1) {
      for (int64_t s = 0; s < p.spatial; ++s) {
        const X *xp = x + s * p.spatial_stride + c0;
        for (int64_t c = 0; c < n; ++c)
          acc[c] += static_cast<uint32_t>(static_cast<int32_t>(xp[c]));
      }
    } else {
      for (int64_t c = 0; c < n; ++c) {
        const X *xp = x + (c0 + c) * p.channel_stride;
        uint32_t sum = 0;
        for (int64_t s = 0; s < p.spatial; ++s)
          sum += static_cast<uint32_t>(static_cast<int32_t>(xp[s * p.spatial_stride]));
        acc[c] += sum;
      }
    }
    for (int64_t c = 0; c < n; ++c)
      storeAcc(y + c0 + c, static_cast<int32_t>(acc[c]), p.multiplier, p.out_zero_point,
               p.out_min, p.out_max);
  }
}

template <class X, class Y>
void reduceMeanTyped(const qc_qs8_reduce_mean_params &p, const X *x, Y *y, int64_t ob,
                     int64_t oe) {
  int64_t reducedCount = 1;
  for (int d = 0; d < p.reduced_rank; ++d)
    reducedCount *= p.reduced_dims[d];
  const int inner = p.reduced_rank - 1;
  const int64_t innerDim = p.reduced_rank ? p.reduced_dims[inner] : 1;
  const int64_t innerStride = p.reduced_rank ? p.reduced_strides[inner] : 0;
  const int64_t outerCount = innerDim ? reducedCount / innerDim : 0;
  for (int64_t o = ob; o < oe; ++o) {
    int64_t base = 0, rest = o;
    for (int d = p.kept_rank - 1; d >= 0; --d) {
      base += (rest % p.kept_dims[d]) * p.kept_strides[d];
      rest /= p.kept_dims[d];
    }
    uint32_t acc = static_cast<uint32_t>(-reducedCount * p.in_zero_point);
    for (int64_t r = 0; r < outerCount; ++r) {
      int64_t offset = base, idx = r;
      for (int d = inner - 1; d >= 0; --d) {
        offset += (idx % p.reduced_dims[d]) * p.reduced_strides[d];
        idx /= p.reduced_dims[d];
      }
      const X *xp = x + offset;
      uint32_t sum = 0;
      if (innerStride == 1) {
        for (int64_t i = 0; i < innerDim; ++i)
          sum += static_cast<uint32_t>(static_cast<int32_t>(xp[i]));
      } else {
        for (int64_t i = 0; i < innerDim; ++i)
          sum += static_cast<uint32_t>(static_cast<int32_t>(xp[i * innerStride]));
      }
      acc += sum;
    }
    storeAcc(y + o, static_cast<int32_t>(acc), p.multiplier, p.out_zero_point, p.out_min,
             p.out_max);
  }
}

// Calls fn(X{}, Y{}) for the (u8/s8 input, u8/s8/f32 output) pair.
template <class Fn> inline void withInOut(int32_t inType, int32_t outType, Fn &&fn) {
  auto out = [&](auto xTag) {
    switch (outType) {
    case QC_Q8_U8: fn(xTag, uint8_t{}); break;
    case QC_Q8_S8: fn(xTag, int8_t{}); break;
    default: fn(xTag, float{}); break;
    }
  };
  if (inType == QC_Q8_U8)
    out(uint8_t{});
  else
    out(int8_t{});
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(qs8_avgpool2d)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_qs8_avgpool2d_params *>(params_);
  if (p.in_type == QC_Q8_U8)
    avgpoolIn<uint8_t>(p, in[0], out[0], task_begin, task_end);
  else
    avgpoolIn<int8_t>(p, in[0], out[0], task_begin, task_end);
}

QC_KERNEL_EXTERN void QC_KERNEL(maxpool2d)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_maxpool2d_params *>(params_);
  switch (p.type) {
  case QC_Q8_U8:
    maxpoolTyped(p, static_cast<const uint8_t *>(in[0]), static_cast<uint8_t *>(out[0]),
                 task_begin, task_end);
    break;
  case QC_Q8_S8:
    maxpoolTyped(p, static_cast<const int8_t *>(in[0]), static_cast<int8_t *>(out[0]),
                 task_begin, task_end);
    break;
  default:
    maxpoolTyped(p, static_cast<const float *>(in[0]), static_cast<float *>(out[0]), task_begin,
                 task_end);
    break;
  }
}

QC_KERNEL_EXTERN void QC_KERNEL(qs8_global_avgpool)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_qs8_global_avgpool_params *>(params_);
  withInOut(p.in_type, p.out_type, [&](auto xTag, auto yTag) {
    using X = decltype(xTag);
    using Y = decltype(yTag);
    globalAvgpoolTyped(p, static_cast<const X *>(in[0]), static_cast<Y *>(out[0]), task_begin,
                       task_end);
  });
}

QC_KERNEL_EXTERN void QC_KERNEL(qs8_reduce_mean)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_qs8_reduce_mean_params *>(params_);
  withInOut(p.in_type, p.out_type, [&](auto xTag, auto yTag) {
    using X = decltype(xTag);
    using Y = decltype(yTag);
    reduceMeanTyped(p, static_cast<const X *>(in[0]), static_cast<Y *>(out[0]), task_begin,
                    task_end);
  });
}
