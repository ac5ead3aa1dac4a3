// Single-core int8 dot-product peaks: vpdpbusd zmm (AVX-512 VNNI) and ymm
// (AVX-VNNI) with 12-24 independent accumulators, and the AVX2 triple
// vpmaddubsw + vpmaddwd + vpaddd. Inline asm so the compiler can neither
// drop nor reorder the work. GOPS counts 1 MAC = 2 ops.
#include "bench/kernels/PeakBench.h"

#include <benchmark/benchmark.h>

#include <cpuid.h>

#include <chrono>
#include <cstdint>

namespace qc::bench {
namespace {

#define QC_R4(m, a, b, c, d) m(a) m(b) m(c) m(d)
#define QC_ZMM_DP(i) "vpdpbusd %%zmm30, %%zmm31, %%zmm" #i "\n\t"
#define QC_YMM_DP(i) "%{vex%} vpdpbusd %%ymm14, %%ymm15, %%ymm" #i "\n\t"

/// 24 independent vpdpbusd zmm per iteration: 24 * 64 MACs.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void zmmLoop24(int64_t iters) {
  asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
               "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
               "1:\n\t" QC_R4(QC_ZMM_DP, 0, 1, 2, 3) QC_R4(QC_ZMM_DP, 4, 5, 6, 7)
                   QC_R4(QC_ZMM_DP, 8, 9, 10, 11) QC_R4(QC_ZMM_DP, 12, 13, 14, 15)
                       QC_R4(QC_ZMM_DP, 16, 17, 18, 19) QC_R4(QC_ZMM_DP, 20, 21, 22, 23)
               "dec %0\n\t"
               "jnz 1b\n\t"
               : "+r"(iters)
               :
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                 "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15", "xmm16",
                 "xmm17", "xmm18", "xmm19", "xmm20", "xmm21", "xmm22", "xmm23", "xmm30",
                 "xmm31", "cc");
}

/// 12 independent vpdpbusd zmm per iteration.
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void zmmLoop12(int64_t iters) {
  asm volatile("vpxord %%zmm30, %%zmm30, %%zmm30\n\t"
               "vpxord %%zmm31, %%zmm31, %%zmm31\n\t"
               "1:\n\t" QC_R4(QC_ZMM_DP, 0, 1, 2, 3) QC_R4(QC_ZMM_DP, 4, 5, 6, 7)
                   QC_R4(QC_ZMM_DP, 8, 9, 10, 11)
               "dec %0\n\t"
               "jnz 1b\n\t"
               : "+r"(iters)
               :
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                 "xmm9", "xmm10", "xmm11", "xmm30", "xmm31", "cc");
}

/// 12 independent AVX-VNNI vpdpbusd ymm per iteration: 12 * 32 MACs.
__attribute__((target("avx2,avxvnni"))) void ymmLoop12(int64_t iters) {
  asm volatile("vpxor %%ymm14, %%ymm14, %%ymm14\n\t"
               "vpxor %%ymm15, %%ymm15, %%ymm15\n\t"
               "1:\n\t" QC_R4(QC_YMM_DP, 0, 1, 2, 3) QC_R4(QC_YMM_DP, 4, 5, 6, 7)
                   QC_R4(QC_YMM_DP, 8, 9, 10, 11)
               "dec %0\n\t"
               "jnz 1b\n\t"
               : "+r"(iters)
               :
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8",
                 "xmm9", "xmm10", "xmm11", "xmm14", "xmm15", "cc");
}

#define QC_AVX2_DP(i)                                                          \
  "vpmaddubsw %%ymm13, %%ymm14, %%ymm" #i "\n\t"                               \
  "vpmaddwd %%ymm15, %%ymm" #i ", %%ymm" #i "\n\t"                             \
  "vpaddd %%ymm" #i ", %%ymm12, %%ymm12\n\t"

/// The AVX2 triple, 6 independent products per iteration: 6 * 32 MACs.
/// (The sums all go to ymm12: vpaddd has 1-cycle latency and is not the limit.)
__attribute__((target("avx2"))) void avx2Loop6(int64_t iters) {
  asm volatile("vpxor %%ymm12, %%ymm12, %%ymm12\n\t"
               "vpxor %%ymm13, %%ymm13, %%ymm13\n\t"
               "vpxor %%ymm14, %%ymm14, %%ymm14\n\t"
               "vpxor %%ymm15, %%ymm15, %%ymm15\n\t"
               "1:\n\t" QC_AVX2_DP(0) QC_AVX2_DP(1) QC_AVX2_DP(2) QC_AVX2_DP(3) QC_AVX2_DP(4)
                   QC_AVX2_DP(5)
               "dec %0\n\t"
               "jnz 1b\n\t"
               : "+r"(iters)
               :
               : "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm12", "xmm13", "xmm14",
                 "xmm15", "cc");
}

template <void (*Loop)(int64_t), int64_t MacsPerIter>
void BM_Peak(benchmark::State &state) {
  if (Loop == ymmLoop12 && !cpuHasAvxVnni()) {
    state.SkipWithError("this CPU has no AVX-VNNI");
    return;
  }
  const int64_t iters = 1 << 16;
  for (auto _ : state)
    Loop(iters);
  state.counters["GOPS"] = benchmark::Counter(2.0 * MacsPerIter * iters / 1e9,
                                              benchmark::Counter::kIsIterationInvariantRate);
}

BENCHMARK(BM_Peak<zmmLoop24, 24 * 64>)->Name("peak/vpdpbusd_zmm_24acc");
BENCHMARK(BM_Peak<zmmLoop12, 12 * 64>)->Name("peak/vpdpbusd_zmm_12acc");
BENCHMARK(BM_Peak<ymmLoop12, 12 * 32>)->Name("peak/vpdpbusd_ymm_avxvnni_12acc");
BENCHMARK(BM_Peak<avx2Loop6, 6 * 32>)->Name("peak/avx2_maddubsw_maddwd_add");

} // namespace

bool cpuHasAvxVnni() {
  unsigned a, b, c, d;
  return __get_cpuid_count(7, 1, &a, &b, &c, &d) && (a & (1u << 4));
}

double measuredVnniZmmPeakGops() {
  static double peak = [] {
    const int64_t iters = 1 << 18;
    double best = 0;
    for (int rep = 0; rep < 5; ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      zmmLoop24(iters);
      double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      double gops = 2.0 * 24 * 64 * double(iters) / s / 1e9;
      best = gops > best ? gops : best;
    }
    return best;
  }();
  return peak;
}

} // namespace qc::bench
