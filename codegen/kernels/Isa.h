// The per-ISA vector policy of qc's int8 kernels: the int32 accumulator
// vector, the exact u8 x s8 -> int32 4-way dot accumulate, and the fused
// requantization epilogue (bit-exact with interp/kernels/Requantize.h).
//
// One struct `isa::Policy` per ISA, selected by KernelAbi.h's QC_ISA_* macros;
// kernel templates are written once against it. Everything is in an anonymous
// namespace: the four ISA variants link into one test binary.
#pragma once

#include <immintrin.h>
#include <string.h>

#include "codegen/kernels/KernelAbi.h"

namespace {
namespace isa {

/// The requantization epilogue, in the form every policy implements:
///   q = rne(clamp(float(acc) * M, lo - zy, hi - zy)) + zy
/// which equals Requantize.h's clamp(rne(float(acc) * M) + zy, lo, hi):
/// rne is monotone and fixes the integers lo - zy and hi - zy, so clamping
/// before or after rounding gives the same integer, and the clamp before the
/// conversion also keeps huge products from converting to INT_MIN. The
/// product is rounded to fp32 by the multiply itself (nothing is added to it
/// in float, so no FMA contraction can change it). The result lies in the
/// output type's range, so truncating the int32 to 8 bits is the store for
/// both u8 and s8.
struct Requant {
  float lo, hi;   // act_min - zy, act_max - zy (integers, exactly)
  int32_t zp;     // zy
};

#if defined(QC_ISA_AVX512VNNI)

struct Policy {
  static constexpr int kLanes = 16; // int32 lanes per accumulator
  using I32 = __m512i;
  /// Weights of one vector: kLanes output channels x 4 k as s8.
  struct Weights { __m512i v; };
  /// One activation quad (4 x u8) ready for dot().
  struct Acts { __m512i v; };

  static I32 load(const int32_t *p) { return _mm512_loadu_si512(p); }
  static Weights loadWeights(const int8_t *p) { return {_mm512_loadu_si512(p)}; }
  static Acts broadcastActs(int32_t quad) { return {_mm512_set1_epi32(quad)}; }
  /// acc += 4-way dot of u8 activations and s8 weights per lane: vpdpbusd,
  /// exact in int32 (no saturation; the sum wraps mod 2^32 at worst).
  static I32 dot(I32 acc, Acts a, Weights w) { return _mm512_dpbusd_epi32(acc, a.v, w.v); }
  /// acc - zw * rowSum (mod 2^32).
  static I32 subScaled(I32 acc, const int32_t *zw, int32_t rowSum) {
    return _mm512_sub_epi32(acc, _mm512_mullo_epi32(load(zw), _mm512_set1_epi32(rowSum)));
  }
  /// Lane-wise activation quads (4 x u8 per int32 lane) for dot().
  static Acts acts(I32 quads) { return {quads}; }
  /// The requantized int32 lanes (in the output type's range), before the store.
  static I32 requantize(I32 acc, const float *mult, Requant r) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(mult));
    f = _mm512_min_ps(_mm512_max_ps(f, _mm512_set1_ps(r.lo)), _mm512_set1_ps(r.hi));
    return _mm512_add_epi32(_mm512_cvtps_epi32(f), _mm512_set1_epi32(r.zp));
  }
  /// rne(float(acc) * M) without the clamp, for accumulators known to keep
  /// |float(acc) * M| < 2^30: the caller narrows with saturation, adds zy and
  /// clamps to [lo, hi] (the same integer as requantize(): see Requant).
  static I32 scaleRound(I32 acc, const float *mult) {
    return _mm512_cvtps_epi32(_mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(mult)));
  }
  static void storeQ8(void *dst, I32 acc, const float *mult, Requant r, int n) {
    __m512i q = requantize(acc, mult, r);
    __mmask16 m = n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1);
    _mm512_mask_cvtepi32_storeu_epi8(dst, m, q);
  }
  static void storeF32(float *dst, I32 acc, const float *scale, int n) {
    __m512 f = _mm512_mul_ps(_mm512_cvtepi32_ps(acc), _mm512_loadu_ps(scale));
    __mmask16 m = n >= 16 ? __mmask16(0xffff) : __mmask16((1u << n) - 1);
    _mm512_mask_storeu_ps(dst, m, f);
  }
};

#elif defined(QC_ISA_AVXVNNI) || defined(QC_ISA_AVX2)

struct Policy {
  static constexpr int kLanes = 8;
  using I32 = __m256i;
#if defined(QC_ISA_AVXVNNI)
  struct Weights { __m256i v; };
  struct Acts { __m256i v; };
  static Weights loadWeights(const int8_t *p) {
    return {_mm256_loadu_si256(reinterpret_cast<const __m256i *>(p))};
  }
  static Acts broadcastActs(int32_t quad) { return {_mm256_set1_epi32(quad)}; }
  /// Lane-wise activation quads (4 x u8 per int32 lane) for dot().
  static Acts acts(__m256i quads) { return {quads}; }
  /// AVX-VNNI vpdpbusd on ymm: exact, as on AVX-512.
  static I32 dot(I32 acc, Acts a, Weights w) { return _mm256_dpbusd_avx_epi32(acc, a.v, w.v); }
#else
  // AVX2 has no u8 x s8 dot without saturation: vpmaddubsw adds two u8*s8
  // products in int16 (255*127*2 > 32767 saturates). Instead the bytes are
  // widened to int16 and multiplied with vpmaddwd, which adds two int16
  // products into int32 exactly: |a*w| <= 255*128 = 32640, the pair sum
  // <= 65280, far inside int32 (vpmaddwd's only wrap, -32768*-32768 twice,
  // needs a = -32768, and a here is 0..255). `even` holds k = 0, 2 and `odd`
  // k = 1, 3 of each lane's quad as int16, so
  //   madd(a.even, w.even) + madd(a.odd, w.odd) = a0w0 + a2w2 + a1w1 + a3w3.
  struct Weights { __m256i even, odd; };
  struct Acts { __m256i even, odd; };
  static Weights loadWeights(const int8_t *p) {
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
    return {_mm256_srai_epi16(_mm256_slli_epi16(v, 8), 8), _mm256_srai_epi16(v, 8)};
  }
  static Acts broadcastActs(int32_t quad) {
    uint32_t u = uint32_t(quad);
    return {_mm256_set1_epi32(int32_t(u & 0x00ff00ffu)),
            _mm256_set1_epi32(int32_t((u >> 8) & 0x00ff00ffu))};
  }
  /// Lane-wise activation quads (4 x u8 per int32 lane) for dot().
  static Acts acts(__m256i quads) {
    return {_mm256_and_si256(quads, _mm256_set1_epi32(0x00ff00ff)), _mm256_srli_epi16(quads, 8)};
  }
  static I32 dot(I32 acc, Acts a, Weights w) {
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(a.even, w.even));
    return _mm256_add_epi32(acc, _mm256_madd_epi16(a.odd, w.odd));
  }
#endif
  static I32 load(const int32_t *p) {
    return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
  }
  static I32 subScaled(I32 acc, const int32_t *zw, int32_t rowSum) {
    return _mm256_sub_epi32(acc, _mm256_mullo_epi32(load(zw), _mm256_set1_epi32(rowSum)));
  }
  /// The requantized int32 lanes (in the output type's range), before the store.
  static I32 requantize(I32 acc, const float *mult, Requant r) {
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(mult));
    f = _mm256_min_ps(_mm256_max_ps(f, _mm256_set1_ps(r.lo)), _mm256_set1_ps(r.hi));
    return _mm256_add_epi32(_mm256_cvtps_epi32(f), _mm256_set1_epi32(r.zp));
  }
  /// rne(float(acc) * M) without the clamp (see the AVX-512 policy).
  static I32 scaleRound(I32 acc, const float *mult) {
    return _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(mult)));
  }
  static void storeQ8(void *dst, I32 acc, const float *mult, Requant r, int n) {
    __m256i q = requantize(acc, mult, r);
    // Low byte of each int32 to the low 8 bytes.
    const __m256i pick = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                          -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1,
                                          -1, -1, -1, -1);
    q = _mm256_permutevar8x32_epi32(_mm256_shuffle_epi8(q, pick),
                                    _mm256_setr_epi32(0, 4, 1, 1, 1, 1, 1, 1));
    __m128i lo = _mm256_castsi256_si128(q);
    if (n >= 8) {
      _mm_storel_epi64(reinterpret_cast<__m128i *>(dst), lo);
    } else {
      uint8_t tmp[16];
      _mm_storeu_si128(reinterpret_cast<__m128i *>(tmp), lo);
      for (int i = 0; i < n; ++i)
        static_cast<uint8_t *>(dst)[i] = tmp[i];
    }
  }
  static void storeF32(float *dst, I32 acc, const float *scale, int n) {
    __m256 f = _mm256_mul_ps(_mm256_cvtepi32_ps(acc), _mm256_loadu_ps(scale));
    if (n >= 8) {
      _mm256_storeu_ps(dst, f);
    } else {
      __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
      _mm256_maskstore_ps(dst, _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx), f);
    }
  }
};

#else // generic: plain C++ over arrays; the compiler vectorizes what it can.

struct Policy {
  static constexpr int kLanes = 8;
  struct I32 { int32_t v[8]; };
  struct Weights { int8_t v[32]; };
  struct Acts { uint8_t v[4]; };

  static I32 load(const int32_t *p) {
    I32 r;
    memcpy(r.v, p, sizeof r.v);
    return r;
  }
  static Weights loadWeights(const int8_t *p) {
    Weights w;
    memcpy(w.v, p, sizeof w.v);
    return w;
  }
  static Acts broadcastActs(int32_t quad) {
    Acts a;
    memcpy(a.v, &quad, 4);
    return a;
  }
  static I32 dot(I32 acc, Acts a, Weights w) {
    for (int l = 0; l < 8; ++l) {
      int32_t s = 0;
      for (int j = 0; j < 4; ++j)
        s += int32_t(a.v[j]) * int32_t(w.v[4 * l + j]);
      acc.v[l] = int32_t(uint32_t(acc.v[l]) + uint32_t(s));
    }
    return acc;
  }
  static I32 subScaled(I32 acc, const int32_t *zw, int32_t rowSum) {
    for (int l = 0; l < 8; ++l)
      acc.v[l] = int32_t(uint32_t(acc.v[l]) - uint32_t(zw[l]) * uint32_t(rowSum));
    return acc;
  }
  /// fp32 -> int32 round-half-even: cvtss2si in the default rounding mode.
  static int32_t roundEven(float f) { return _mm_cvtss_si32(_mm_set_ss(f)); }
  static void storeQ8(void *dst, I32 acc, const float *mult, Requant r, int n) {
    for (int l = 0; l < 8 && l < n; ++l) {
      float f = float(acc.v[l]) * mult[l];
      f = f < r.lo ? r.lo : f;
      f = f > r.hi ? r.hi : f;
      static_cast<uint8_t *>(dst)[l] = uint8_t(roundEven(f) + r.zp);
    }
  }
  static void storeF32(float *dst, I32 acc, const float *scale, int n) {
    for (int l = 0; l < 8 && l < n; ++l)
      dst[l] = float(acc.v[l]) * scale[l];
  }
};

#endif

} // namespace isa
} // namespace
