// qc.QConvTranspose, direct (params and arithmetic in Qs8ConvTranspose.h):
// per output row, per output position, the taps whose input position exists
// add x * w rows over the output channels in int32 (a vectorized
// multiply-add over contiguous packed weights); per-channel requantization.
#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/MathApprox.h"
#include "codegen/kernels/Qs8ConvTranspose.h"

namespace {

// Output channels per accumulator block (stack).
constexpr int64_t kBlock = 256;

// The input index whose tap `k` lands on output `o` along one axis, or -1.
inline int64_t sourceOf(int64_t o, int64_t k, int64_t stride, int64_t dil, int64_t pad,
                        int64_t extent) {
  int64_t num = o + pad - k * dil;
  if (num < 0 || num % stride != 0)
    return -1;
  int64_t i = num / stride;
  return i < extent ? i : -1;
}

template <class In>
void outputPosition(const qc_qs8_conv_transpose_params &p, const In *x, const int32_t *w,
                    const int32_t *bias, const float *factor, uint8_t *y, int64_t oh,
                    int64_t ow) {
  const int64_t cpg = p.c / p.group, mpg = p.m / p.group;
  const bool f32 = p.out_kind == QC_CT_OUT_F32;
  int32_t acc[kBlock];
  for (int64_t g = 0; g < p.group; ++g)
    for (int64_t j0 = 0; j0 < mpg; j0 += kBlock) {
      const int64_t nb = mpg - j0 < kBlock ? mpg - j0 : kBlock;
      const int64_t m0 = g * mpg + j0;
      for (int64_t j = 0; j < nb; ++j)
        acc[j] = bias[m0 + j];
      for (int64_t kh = 0; kh < p.kh; ++kh) {
        int64_t ih = sourceOf(oh, kh, p.stride_h, p.dil_h, p.pad_h, p.ih);
        if (ih < 0)
          continue;
        for (int64_t kw = 0; kw < p.kw; ++kw) {
          int64_t iw = sourceOf(ow, kw, p.stride_w, p.dil_w, p.pad_w, p.iw);
          if (iw < 0)
            continue;
          const In *xp = x + ih * p.x_sh + iw * p.x_sw + g * cpg * p.x_sc;
          const int32_t *wp = w + ((g * p.kh + kh) * p.kw + kw) * cpg * mpg + j0;
          for (int64_t c = 0; c < cpg; ++c) {
            const int32_t xv = int32_t(xp[c * p.x_sc]) - p.zx;
            const int32_t *wr = wp + c * mpg;
            for (int64_t j = 0; j < nb; ++j)
              acc[j] += xv * wr[j];
          }
        }
      }
      uint8_t *yp = y + (oh * p.y_sh + ow * p.y_sw) * (f32 ? 4 : 1);
      for (int64_t j = 0; j < nb; ++j) {
        const int64_t m = m0 + j;
        float f = float(acc[j]) * factor[m];
        if (f32) {
          reinterpret_cast<float *>(yp)[m * p.y_sm] = f;
          continue;
        }
        f = f < p.lo ? p.lo : f;
        f = f > p.hi ? p.hi : f;
        yp[m * p.y_sm] = uint8_t(int32_t(mathapprox::roundSmall(f)) + p.zy);
      }
    }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(qs8_conv_transpose)(QC_KERNEL_PARAMS) {
  const qc_qs8_conv_transpose_params &p =
      *static_cast<const qc_qs8_conv_transpose_params *>(params_);
  const int32_t *w = static_cast<const int32_t *>(consts[0]);
  const int32_t *bias = static_cast<const int32_t *>(consts[1]);
  const float *factor = static_cast<const float *>(consts[2]);
  uint8_t *y = static_cast<uint8_t *>(out[0]);
  for (int64_t oh = task_begin; oh < task_end; ++oh)
    for (int64_t ow = 0; ow < p.ow; ++ow) {
      if (p.x_signed)
        outputPosition(p, static_cast<const int8_t *>(in[0]), w, bias, factor, y, oh, ow);
      else
        outputPosition(p, static_cast<const uint8_t *>(in[0]), w, bias, factor, y, oh, ow);
    }
}
