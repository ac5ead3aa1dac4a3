// qc.QMatMul of two int8 activations (attention QK^T, PV): B packed at run
// time into the dot-product layout, then a register-blocked u8 x s8 kernel
// over the ISA policy of Isa.h with the zero-point cross terms from run-time
// row/column sums and the requantization fused into the store. Params and
// the arithmetic: Qs8BatchMatMul.h.
#include "codegen/kernels/Isa.h"
#include "codegen/kernels/Qs8BatchMatMul.h"

namespace {

using P = isa::Policy;
constexpr int kLanes = P::kLanes;
constexpr int kNr = kLanes == 16 ? 64 : 16; // == qc_bmm_tile_columns
constexpr int kVecs = kNr / kLanes;
constexpr int kMr = 4;

struct Matrices {
  int64_t a, b; // matrix indices within the sample
};

Matrices batchOf(const qc_qs8_bmm_params &p, int64_t outBatch) {
  Matrices m{0, 0};
  int64_t rest = outBatch;
  for (int d = p.batch_rank - 1; d >= 0; --d) {
    int64_t idx = rest % p.batch_dims[d];
    rest /= p.batch_dims[d];
    m.a += idx * p.a_batch_stride[d];
    m.b += idx * p.b_batch_stride[d];
  }
  return m;
}

inline int32_t flip4(int32_t flip) { return int32_t(uint32_t(flip) * 0x01010101u); }

// MR rows of A x one packed tile of B (kNr columns, nValid of them real).
template <int MR>
void microTile(const qc_qs8_bmm_params &p, const uint8_t *const *aRows, const int8_t *tile,
               const int32_t *colTerm, const int32_t *rowSum, uint8_t *const *outRows,
               int64_t nValid) {
  const int32_t flip = flip4(p.a_flip);
  P::I32 acc[MR][kVecs];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < kVecs; ++v)
      acc[r][v] = P::load(colTerm + v * kLanes);
  const int64_t quads = p.k / 4;
  for (int64_t q = 0; q < quads; ++q) {
    P::Weights w[kVecs];
    for (int v = 0; v < kVecs; ++v)
      w[v] = P::loadWeights(tile + (q * kNr + v * kLanes) * 4);
    for (int r = 0; r < MR; ++r) {
      int32_t quad;
      __builtin_memcpy(&quad, aRows[r] + q * 4, 4);
      P::Acts a = P::broadcastActs(quad ^ flip);
      for (int v = 0; v < kVecs; ++v)
        acc[r][v] = P::dot(acc[r][v], a, w[v]);
    }
  }
  if (int64_t rem = p.k - quads * 4) {
    // B's padding bytes are 0, so whatever A's padding holds adds nothing.
    P::Weights w[kVecs];
    for (int v = 0; v < kVecs; ++v)
      w[v] = P::loadWeights(tile + (quads * kNr + v * kLanes) * 4);
    for (int r = 0; r < MR; ++r) {
      int32_t quad = 0;
      __builtin_memcpy(&quad, aRows[r] + quads * 4, size_t(rem));
      P::Acts a = P::broadcastActs(quad ^ flip);
      for (int v = 0; v < kVecs; ++v)
        acc[r][v] = P::dot(acc[r][v], a, w[v]);
    }
  }
  int32_t zb[kLanes];
  float factor[kLanes];
  for (int l = 0; l < kLanes; ++l) {
    zb[l] = p.zb_s;
    factor[l] = p.multiplier;
  }
  const isa::Requant req{p.lo, p.hi, p.zy};
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < kVecs; ++v) {
      int64_t col = int64_t(v) * kLanes;
      if (col >= nValid)
        break;
      int n = int(nValid - col < kLanes ? nValid - col : kLanes);
      P::I32 x = P::subScaled(acc[r][v], zb, rowSum[r]);
      if (p.out_kind == QC_BMM_OUT_F32)
        P::storeF32(reinterpret_cast<float *>(outRows[r]) + col, x, factor, n);
      else
        P::storeQ8(outRows[r] + col, x, factor, req, n);
    }
}

template <int MR>
void rowGroup(const qc_qs8_bmm_params &p, const uint8_t *a, const uint8_t *packed, uint8_t *out,
              int64_t row0) {
  const int64_t outBytes = p.out_kind == QC_BMM_OUT_F32 ? 4 : 1;
  const uint8_t *aRows[MR];
  uint8_t *outRows[MR];
  int32_t rowSum[MR];
  for (int r = 0; r < MR; ++r) {
    aRows[r] = a + (row0 + r) * p.k;
    outRows[r] = out + (row0 + r) * p.n * outBytes;
    uint32_t s = 0;
    for (int64_t k = 0; k < p.k; ++k)
      s += uint32_t(aRows[r][k] ^ uint8_t(p.a_flip));
    rowSum[r] = int32_t(s);
  }
  for (int64_t t = 0; t < p.n_tiles; ++t) {
    const uint8_t *tileBase = packed + t * (p.tile_bytes + kNr * 4);
    const int8_t *tile = reinterpret_cast<const int8_t *>(tileBase);
    const int32_t *colTerm = reinterpret_cast<const int32_t *>(tileBase + p.tile_bytes);
    int64_t nValid = p.n - t * kNr < kNr ? p.n - t * kNr : kNr;
    uint8_t *tileOut[MR];
    for (int r = 0; r < MR; ++r)
      tileOut[r] = outRows[r] + t * kNr * outBytes;
    microTile<MR>(p, aRows, tile, colTerm, rowSum, tileOut, nValid);
  }
}

} // namespace

QC_KERNEL_EXTERN void QC_KERNEL(qs8_bmm_pack)(QC_KERNEL_PARAMS) {
  const qc_qs8_bmm_params &p = *static_cast<const qc_qs8_bmm_params *>(params_);
  const uint8_t *b = static_cast<const uint8_t *>(in[0]);
  uint8_t *scratch = static_cast<uint8_t *>(out[1]);
  const int32_t *bias = p.has_bias ? static_cast<const int32_t *>(consts[0]) : nullptr;
  const int32_t base = int32_t(uint32_t(p.k) * uint32_t(p.za_u) * uint32_t(p.zb_s));
  for (int64_t task = task_begin; task < task_end; ++task) {
    int64_t m = task / p.n_tiles, t = task % p.n_tiles;
    const uint8_t *src = b + m * p.k * p.n;
    uint8_t *dst = scratch + m * p.packed_bytes + t * (p.tile_bytes + kNr * 4);
    int8_t *tile = reinterpret_cast<int8_t *>(dst);
    int32_t *colTerm = reinterpret_cast<int32_t *>(dst + p.tile_bytes);
    int32_t colSum[kNr];
    for (int c = 0; c < kNr; ++c)
      colSum[c] = 0;
    const int64_t n0 = t * kNr;
    const bool fullTile = p.n - n0 >= kNr;
    const uint8_t flip = uint8_t(p.b_flip);
    for (int64_t q = 0; q < p.k4 / 4; ++q) {
      int8_t *d = tile + q * kNr * 4;
      if (fullTile && q * 4 + 3 < p.k) {
        // Four rows of kNr columns interleaved into quads (vectorizable).
        const uint8_t *r0 = src + q * 4 * p.n + n0;
        const uint8_t *r1 = r0 + p.n, *r2 = r1 + p.n, *r3 = r2 + p.n;
        for (int c = 0; c < kNr; ++c) {
          int8_t v0 = int8_t(r0[c] ^ flip), v1 = int8_t(r1[c] ^ flip);
          int8_t v2 = int8_t(r2[c] ^ flip), v3 = int8_t(r3[c] ^ flip);
          d[4 * c] = v0;
          d[4 * c + 1] = v1;
          d[4 * c + 2] = v2;
          d[4 * c + 3] = v3;
          colSum[c] += int32_t(v0) + int32_t(v1) + int32_t(v2) + int32_t(v3);
        }
        continue;
      }
      for (int c = 0; c < kNr; ++c) {
        int64_t n = n0 + c;
        for (int j = 0; j < 4; ++j) {
          int64_t k = q * 4 + j;
          int8_t v = k < p.k && n < p.n ? int8_t(src[k * p.n + n] ^ flip) : 0;
          d[c * 4 + j] = v;
          colSum[c] += v;
        }
      }
    }
    for (int c = 0; c < kNr; ++c) {
      int64_t n = t * kNr + c;
      uint32_t term = uint32_t(base) - uint32_t(p.za_u) * uint32_t(colSum[c]);
      if (bias && n < p.n)
        term += uint32_t(bias[n]);
      colTerm[c] = n < p.n ? int32_t(term) : 0;
    }
  }
}

QC_KERNEL_EXTERN void QC_KERNEL(qs8_bmm)(QC_KERNEL_PARAMS) {
  const qc_qs8_bmm_params &p = *static_cast<const qc_qs8_bmm_params *>(params_);
  const uint8_t *a = static_cast<const uint8_t *>(in[0]);
  uint8_t *y = static_cast<uint8_t *>(out[0]);
  const uint8_t *scratch = static_cast<const uint8_t *>(out[1]);
  const int64_t outBytes = p.out_kind == QC_BMM_OUT_F32 ? 4 : 1;
  for (int64_t task = task_begin; task < task_end; ++task) {
    int64_t ob = task / p.m_blocks, mb = task % p.m_blocks;
    Matrices mat = batchOf(p, ob);
    const uint8_t *am = a + mat.a * p.m * p.k;
    const uint8_t *packed = scratch + mat.b * p.packed_bytes;
    uint8_t *om = y + ob * p.m * p.n * outBytes;
    int64_t row = mb * QC_BMM_ROWS_PER_TASK;
    int64_t end = row + QC_BMM_ROWS_PER_TASK < p.m ? row + QC_BMM_ROWS_PER_TASK : p.m;
    for (; row + kMr <= end; row += kMr)
      rowGroup<kMr>(p, am, packed, om, row);
    switch (end - row) {
    case 3: rowGroup<3>(p, am, packed, om, row); break;
    case 2: rowGroup<2>(p, am, packed, om, row); break;
    case 1: rowGroup<1>(p, am, packed, om, row); break;
    default: break;
    }
  }
}
