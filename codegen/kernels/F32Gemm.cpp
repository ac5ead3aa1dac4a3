// fp32 GEMM and convolution kernels: one register-blocked FMA micro-kernel
// (MR rows x NR columns of accumulators; zmm on AVX-512, ymm on AVX2, xmm
// on SSE2 through clang vector extensions) over packed B panels, used by
// MatMul/Gemm (rows of A by strides) and by NHWC convolution (rows of A are
// per-tap input pixel pointers: an implicit GEMM without im2col). Depthwise
// convolution vectorizes over channels instead.
#include "codegen/kernels/F32Gemm.h"

#include "codegen/kernels/KernelAbi.h"

namespace {

#if defined(QC_ISA_AVX512VNNI)
constexpr int kW = 16; // floats per vector
constexpr int kNRV = 4;
constexpr int kNRExpected = QC_F32_NR_AVX512;
#elif defined(QC_ISA_AVXVNNI) || defined(QC_ISA_AVX2)
constexpr int kW = 8;
constexpr int kNRV = 2;
constexpr int kNRExpected = QC_F32_NR_AVX2;
#else
constexpr int kW = 4;
constexpr int kNRV = 2;
constexpr int kNRExpected = QC_F32_NR_GENERIC;
#endif
constexpr int kNR = kW * kNRV;
constexpr int kMR = QC_F32_MR;
static_assert(kNR == kNRExpected, "F32Gemm.h's NR must match the policy");

typedef float Vec __attribute__((vector_size(kW * 4)));
typedef float VecU __attribute__((vector_size(kW * 4), aligned(4)));

inline Vec loadVec(const float *p) { return *reinterpret_cast<const VecU *>(p); }
inline void storeVec(float *p, Vec v) { *reinterpret_cast<VecU *>(p) = v; }

inline int64_t minI(int64_t a, int64_t b) { return a < b ? a : b; }

// tile[R][NR] += sum_k a[r][aOff + k * aStride] * b[k][0..NR): R x NRV
// independent accumulators in registers, B rows of NR floats (a packed
// panel).
template <int R>
inline void microKernel(const float *const *a, int64_t aOff, int64_t aStride, const float *b,
                        int64_t kc, float *tile) {
  Vec c[R][kNRV];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < kNRV; ++v)
      c[r][v] = loadVec(tile + r * kNR + v * kW);
  const float *ap[R];
  for (int r = 0; r < R; ++r)
    ap[r] = a[r] + aOff;
  for (int64_t k = 0; k < kc; ++k) {
    Vec bv[kNRV];
    for (int v = 0; v < kNRV; ++v)
      bv[v] = loadVec(b + k * kNR + v * kW);
    for (int r = 0; r < R; ++r) {
      Vec av = Vec{} + ap[r][k * aStride];
      for (int v = 0; v < kNRV; ++v)
        c[r][v] += av * bv[v];
    }
  }
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < kNRV; ++v)
      storeVec(tile + r * kNR + v * kW, c[r][v]);
}

inline void microKernelRows(int rows, const float *const *a, int64_t aOff, int64_t aStride,
                            const float *b, int64_t kc, float *tile) {
  static_assert(kMR == 6, "one case per row count");
  switch (rows) {
  case 6: return microKernel<6>(a, aOff, aStride, b, kc, tile);
  case 5: return microKernel<5>(a, aOff, aStride, b, kc, tile);
  case 4: return microKernel<4>(a, aOff, aStride, b, kc, tile);
  case 3: return microKernel<3>(a, aOff, aStride, b, kc, tile);
  case 2: return microKernel<2>(a, aOff, aStride, b, kc, tile);
  default: return microKernel<1>(a, aOff, aStride, b, kc, tile);
  }
}

// The matrix offsets of batch index b (row-major over batch_dims).
inline void batchOffsets(int64_t b, int32_t rank, const int64_t *dims, const int64_t *s0,
                         const int64_t *s1, const int64_t *s2, int64_t &o0, int64_t &o1,
                         int64_t &o2) {
  o0 = o1 = o2 = 0;
  for (int d = rank - 1; d >= 0; --d) {
    int64_t idx = b % dims[d];
    b /= dims[d];
    o0 += idx * s0[d];
    o1 += idx * s1[d];
    o2 += idx * s2[d];
  }
}

void gemmTile(const qc_f32_gemm_params &p, const float *a, const float *bPacked,
              const float *c, float *y, int64_t tileM, int64_t tileN) {
  const int64_t i0 = tileM * p.m_tile, i1 = minI(p.m, i0 + p.m_tile);
  const int64_t panels = (p.n + kNR - 1) / kNR;
  const int64_t p0 = tileN * (p.n_tile / kNR), p1 = minI(panels, p0 + p.n_tile / kNR);
  alignas(64) float tile[kMR * kNR];
  const int64_t kc = p.kc > 0 ? p.kc : 1;
  for (int64_t kb = 0; kb < p.k || kb == 0; kb += kc) {
    const int64_t kCur = minI(kc, p.k - kb);
    const bool first = kb == 0, last = kb + kCur >= p.k;
    for (int64_t panel = p0; panel < p1; ++panel) {
      const float *b = bPacked + (panel * p.k + kb) * kNR;
      const int64_t j0 = panel * kNR;
      const int64_t cols = minI(kNR, p.n - j0);
      for (int64_t i = i0; i < i1; i += kMR) {
        const int rows = int(minI(kMR, i1 - i));
        const float *rowPtr[kMR];
        for (int r = 0; r < rows; ++r)
          rowPtr[r] = a + (i + r) * p.a_row_stride;
        for (int r = 0; r < rows; ++r)
          for (int j = 0; j < kNR; ++j)
            tile[r * kNR + j] = first || j >= cols ? 0.0f : y[(i + r) * p.n + j0 + j];
        microKernelRows(rows, rowPtr, kb * p.a_col_stride, p.a_col_stride, b, kCur, tile);
        for (int r = 0; r < rows; ++r) {
          float *yRow = y + (i + r) * p.n + j0;
          const float *tRow = tile + r * kNR;
          if (!last) {
            for (int64_t j = 0; j < cols; ++j)
              yRow[j] = tRow[j];
            continue;
          }
          for (int64_t j = 0; j < cols; ++j) {
            float v = tRow[j];
            if (p.alpha != 1.0f)
              v = v * p.alpha;
            if (p.has_c) {
              float cv = c[(i + r) * p.c_row_stride + (j0 + j) * p.c_col_stride] * p.beta;
              v = v + cv;
            }
            yRow[j] = v;
          }
        }
      }
    }
    if (p.k == 0)
      break;
  }
}

void convTile(const qc_f32_conv2d_params &p, const float *x, const float *w, const float *bias,
              const float *zeros, float *y, int64_t g, int64_t tileM, int64_t tileN) {
  const int64_t pixels = p.out_h * p.out_w;
  const int64_t i0 = tileM * p.m_tile, i1 = minI(pixels, i0 + p.m_tile);
  const int64_t panels = (p.group_out + kNR - 1) / kNR;
  const int64_t p0 = tileN * (p.n_tile / kNR), p1 = minI(panels, p0 + p.n_tile / kNR);
  const int64_t kTotal = p.kernel_h * p.kernel_w * p.group_in;
  const float *wGroup = w + g * panels * kTotal * kNR;
  const float *xGroup = x + g * p.group_in;
  const int64_t kc = p.kc > 0 ? p.kc : 1;
  alignas(64) float tile[kMR * kNR];
  for (int64_t panel = p0; panel < p1; ++panel) {
    const float *wPanel = wGroup + panel * kTotal * kNR;
    const int64_t j0 = panel * kNR;
    const int64_t cols = minI(kNR, p.group_out - j0);
    const int64_t yCol = g * p.group_out + j0;
    for (int64_t i = i0; i < i1; i += kMR) {
      const int rows = int(minI(kMR, i1 - i));
      for (int j = 0; j < kMR * kNR; ++j)
        tile[j] = 0.0f;
      for (int64_t kh = 0; kh < p.kernel_h; ++kh)
        for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
          const float *rowPtr[kMR];
          for (int r = 0; r < rows; ++r) {
            int64_t oh = (i + r) / p.out_w, ow = (i + r) % p.out_w;
            int64_t ih = oh * p.stride_h + kh * p.dilation_h - p.pad_top;
            int64_t iw = ow * p.stride_w + kw * p.dilation_w - p.pad_left;
            bool inside = ih >= 0 && ih < p.in_h && iw >= 0 && iw < p.in_w;
            rowPtr[r] = inside ? xGroup + (ih * p.in_w + iw) * p.in_c : zeros;
          }
          const float *wTap = wPanel + (kh * p.kernel_w + kw) * p.group_in * kNR;
          for (int64_t cb = 0; cb < p.group_in; cb += kc)
            microKernelRows(rows, rowPtr, cb, 1, wTap + cb * kNR, minI(kc, p.group_in - cb),
                            tile);
        }
      for (int r = 0; r < rows; ++r) {
        float *yRow = y + (i + r) * p.out_c + yCol;
        for (int64_t j = 0; j < cols; ++j)
          yRow[j] = tile[r * kNR + j] + bias[yCol + j];
      }
    }
  }
}

void dwconvRow(const qc_f32_dwconv2d_params &p, const float *x, const float *w,
               const float *bias, float *y, int64_t oh) {
  float *yRow = y + oh * p.out_w * p.out_c;
  for (int64_t ow = 0; ow < p.out_w; ++ow)
    for (int64_t m = 0; m < p.out_c; ++m)
      yRow[ow * p.out_c + m] = bias[m];
  for (int64_t kh = 0; kh < p.kernel_h; ++kh) {
    int64_t ih = oh * p.stride_h + kh * p.dilation_h - p.pad_top;
    if (ih < 0 || ih >= p.in_h)
      continue;
    for (int64_t kw = 0; kw < p.kernel_w; ++kw) {
      const float *wTap = w + (kh * p.kernel_w + kw) * p.out_c;
      for (int64_t ow = 0; ow < p.out_w; ++ow) {
        int64_t iw = ow * p.stride_w + kw * p.dilation_w - p.pad_left;
        if (iw < 0 || iw >= p.in_w)
          continue;
        const float *xPix = x + (ih * p.in_w + iw) * p.in_c;
        float *yPix = yRow + ow * p.out_c;
        if (p.multiplier == 1) {
          for (int64_t c = 0; c < p.out_c; ++c)
            yPix[c] += xPix[c] * wTap[c];
        } else {
          for (int64_t m = 0; m < p.out_c; ++m)
            yPix[m] += xPix[m / p.multiplier] * wTap[m];
        }
      }
    }
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(f32_gemm)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_gemm_params *>(params_);
  const float *a = static_cast<const float *>(in[0]);
  const float *b = static_cast<const float *>(p.b_source == QC_F32_B_CONST ? consts[0]
                                                                           : out[1]);
  const float *c = p.has_c ? static_cast<const float *>(consts[p.c_slot]) : nullptr;
  float *y = static_cast<float *>(out[0]);
  const int64_t perBatch = p.tiles_m * p.tiles_n;
  for (int64_t t = task_begin; t < task_end; ++t) {
    int64_t batch = t / perBatch, rest = t % perBatch;
    int64_t aOff, bOff, yOff;
    batchOffsets(batch, p.batch_rank, p.batch_dims, p.a_batch_stride, p.b_batch_stride,
                 p.y_batch_stride, aOff, bOff, yOff);
    gemmTile(p, a + aOff, b + bOff, c, y + yOff, rest / p.tiles_n, rest % p.tiles_n);
  }
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_gemm_pack_b)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_gemm_pack_b_params *>(params_);
  const float *src = static_cast<const float *>(in[0]);
  float *packed = static_cast<float *>(out[0]);
  const int64_t panels = (p.n + kNR - 1) / kNR;
  for (int64_t batch = task_begin; batch < task_end; ++batch) {
    int64_t inOff, unused0, unused1;
    batchOffsets(batch, p.batch_rank, p.batch_dims, p.in_batch_stride, p.in_batch_stride,
                 p.in_batch_stride, inOff, unused0, unused1);
    const float *b = src + inOff;
    float *dst = packed + batch * p.packed_batch_stride;
    for (int64_t panel = 0; panel < panels; ++panel)
      for (int64_t k = 0; k < p.k; ++k) {
        float *row = dst + (panel * p.k + k) * kNR;
        for (int64_t j = 0; j < kNR; ++j) {
          int64_t col = panel * kNR + j;
          row[j] = col < p.n ? b[k * p.row_stride + col * p.col_stride] : 0.0f;
        }
      }
  }
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_conv2d)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_conv2d_params *>(params_);
  const int64_t perGroup = p.tiles_m * p.tiles_n;
  for (int64_t t = task_begin; t < task_end; ++t) {
    int64_t g = t / perGroup, rest = t % perGroup;
    convTile(p, static_cast<const float *>(in[0]), static_cast<const float *>(consts[0]),
             static_cast<const float *>(consts[1]), static_cast<const float *>(consts[2]),
             static_cast<float *>(out[0]), g, rest / p.tiles_n, rest % p.tiles_n);
  }
}

QC_KERNEL_EXTERN void QC_KERNEL(f32_dwconv2d)(QC_KERNEL_PARAMS) {
  const auto &p = *static_cast<const qc_f32_dwconv2d_params *>(params_);
  for (int64_t oh = task_begin; oh < task_end; ++oh)
    dwconvRow(p, static_cast<const float *>(in[0]), static_cast<const float *>(consts[0]),
              static_cast<const float *>(consts[1]), static_cast<float *>(out[0]), oh);
}
