// Google Benchmark of the depthwise 3x3 int8 conv kernels (Qs8Dwconv.cpp) at
// MobileNetV2's shapes, per ISA: qs8_dwconv_vec (the fast path) and
// qs8_dwconv (the general one), GB/s (activation bytes read + written) and
// GOPS (1 MAC = 2 ops). These are the native (unspecialized) kernels; the
// compiled model runs them with constant params (QC_PROFILE=1 times those).
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/Qs8Dwconv.h"

extern "C" void qc_qs8_dwconv__generic(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv__avx2(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv__avx512vnni(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv_vec__generic(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv_vec__avx2(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv_vec__avx512vnni(QC_KERNEL_PARAMS);

namespace {

struct DwShape {
  int64_t size, channels, stride;
};

// MobileNetV2's depthwise layers (input H = W, C, stride).
const DwShape kShapes[] = {{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {56, 144, 2},
                           {28, 192, 1}, {28, 192, 2}, {14, 384, 1}, {14, 576, 1},
                           {14, 576, 2}, {7, 960, 1}};

// block: 0 runs qs8_dwconv, else qs8_dwconv_vec with that block width.
void runDwconv(benchmark::State &state, qc_kernel_fn fn, DwShape s, int64_t block) {
  qc_qs8_dwconv_params p{};
  p.in_h = p.in_w = s.size;
  p.channels = p.out_channels = s.channels;
  p.multiplier = 1;
  p.kernel_h = p.kernel_w = 3;
  p.stride_h = p.stride_w = s.stride;
  p.dilation_h = p.dilation_w = 1;
  p.pad_top = p.pad_left = 1;
  p.out_h = p.out_w = (s.size + 2 - 3) / s.stride + 1;
  p.in_type = QC_Q8_U8;
  p.out_type = QC_Q8_U8;
  p.out_zero_point = 0;
  p.out_min = 0;
  p.out_max = 255;
  p.in_zero_point_u8 = 3;
  p.block_channels = int32_t(block);
  p.pixels_per_block = block == 64 && s.stride == 1 && (s.channels == 16 || s.channels == 32)
                           ? int32_t(64 / s.channels) : 1;
  p.narrow_clamp = 1;
  std::mt19937 rng(1);
  std::vector<int32_t> centred(size_t(9 * s.channels)); // [C][9]
  for (int32_t &w : centred)
    w = int(rng() % 255) - 127;
  std::vector<int32_t> bias(size_t(s.channels), -1000);
  std::vector<float> multiplier(size_t(s.channels), 0.0007f);
  std::vector<uint8_t> x(size_t(s.size * s.size * s.channels));
  for (uint8_t &v : x)
    v = uint8_t(rng());
  std::vector<uint8_t> y(size_t(p.out_h * p.out_w * s.channels));
  // qs8_dwconv: [9][C] int16 pairs and a padding row.
  std::vector<int32_t> pairs(size_t(9 * s.channels));
  for (int64_t c = 0; c < s.channels; ++c)
    for (int64_t k = 0; k < 9; ++k)
      pairs[size_t(k * s.channels + c)] = int32_t(uint16_t(int16_t(centred[size_t(c * 9 + k)])));
  std::vector<uint8_t> padRow(size_t(s.channels), 3);
  // qs8_dwconv_vec: packed blocks.
  const int64_t blocks = block ? qcDwconvBlocks(s.channels, block) : 0;
  std::vector<int8_t> packed(size_t(blocks * 3 * 4 * block));
  std::vector<int32_t> biasV(size_t(blocks * block));
  std::vector<float> multV(size_t(blocks * block));
  if (block)
    qcDwconvPackVec(&p, centred.data(), bias.data(), multiplier.data(), packed.data(),
                    biasV.data(), multV.data());
  const void *constsOld[] = {pairs.data(), bias.data(), multiplier.data(), padRow.data()};
  const void *constsVec[] = {packed.data(), biasV.data(), multV.data()};
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  for (auto _ : state) {
    fn(&p, block ? constsVec : constsOld, in, out, 0, p.out_h);
    benchmark::DoNotOptimize(y.data());
    benchmark::ClobberMemory();
  }
  double macs = double(p.out_h * p.out_w * s.channels * 9);
  double bytes = double(x.size() + y.size());
  state.counters["GOPS"] =
      benchmark::Counter(2 * macs, benchmark::Counter::kIsIterationInvariantRate,
                         benchmark::Counter::kIs1000);
  state.counters["GB/s"] = benchmark::Counter(bytes, benchmark::Counter::kIsIterationInvariantRate,
                                              benchmark::Counter::kIs1000);
}

bool registerAll() {
  struct Variant {
    const char *name;
    qc_kernel_fn fn;
    int64_t block;
    bool runs;
  };
  const bool avx512 = __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw");
  const bool avx2 = __builtin_cpu_supports("avx2");
  const Variant variants[] = {
      {"qs8_dwconv_vec/avx512vnni", &qc_qs8_dwconv_vec__avx512vnni, 64, avx512},
      {"qs8_dwconv_vec/avx2", &qc_qs8_dwconv_vec__avx2, 32, avx2},
      {"qs8_dwconv_vec/generic", &qc_qs8_dwconv_vec__generic, 16, true},
      {"qs8_dwconv/avx512vnni", &qc_qs8_dwconv__avx512vnni, 0, avx512},
      {"qs8_dwconv/avx2", &qc_qs8_dwconv__avx2, 0, avx2},
      {"qs8_dwconv/generic", &qc_qs8_dwconv__generic, 0, true}};
  for (const Variant &v : variants) {
    if (!v.runs)
      continue;
    for (DwShape s : kShapes) {
      if (v.block == 32 && s.channels < 32)
        continue; // the emitter uses qs8_dwconv there
      std::string name = std::string(v.name) + "/3x3/" + std::to_string(s.size) + "x" +
                         std::to_string(s.size) + "x" + std::to_string(s.channels) + "/s" +
                         std::to_string(s.stride);
      benchmark::RegisterBenchmark(name.c_str(), runDwconv, v.fn, s, v.block);
    }
  }
  return true;
}

const bool kRegistered = registerAll();

} // namespace
