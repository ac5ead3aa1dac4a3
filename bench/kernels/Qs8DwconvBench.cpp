// Google Benchmark of the depthwise 3x3 int8 conv kernel (Qs8Dwconv.cpp) at
// MobileNetV2's shapes, per ISA: GB/s (activation bytes read + written) and
// GOPS (1 MAC = 2 ops). These are the native (unspecialized) kernels; the
// compiled model runs them with constant params.
#include <benchmark/benchmark.h>

#include <random>
#include <string>
#include <vector>

#include "codegen/kernels/KernelAbi.h"
#include "codegen/kernels/Qs8Dwconv.h"

extern "C" void qc_qs8_dwconv__generic(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv__avx2(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_dwconv__avx512vnni(QC_KERNEL_PARAMS);

namespace {

struct DwShape {
  int64_t size, channels, stride;
};

// MobileNetV2's depthwise layers (input H = W, C, stride).
const DwShape kShapes[] = {{112, 32, 1}, {112, 96, 2}, {56, 144, 1}, {56, 144, 2},
                           {28, 192, 1}, {28, 192, 2}, {14, 384, 1}, {14, 576, 1},
                           {14, 576, 2}, {7, 960, 1}};

void runDwconv(benchmark::State &state, qc_kernel_fn fn, DwShape s) {
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
  std::mt19937 rng(1);
  std::vector<int32_t> weights(size_t(9 * s.channels));
  for (int32_t &w : weights)
    w = int32_t(uint16_t(int16_t(int(rng() % 255) - 127))); // the pair (w, 0)
  std::vector<int32_t> bias(size_t(s.channels), -1000);
  std::vector<float> multiplier(size_t(s.channels), 0.0007f);
  std::vector<uint8_t> padRow(size_t(s.channels), 3);
  std::vector<uint8_t> x(size_t(s.size * s.size * s.channels));
  for (uint8_t &v : x)
    v = uint8_t(rng());
  std::vector<uint8_t> y(size_t(p.out_h * p.out_w * s.channels));
  const void *consts[] = {weights.data(), bias.data(), multiplier.data(), padRow.data()};
  const void *in[] = {x.data()};
  void *out[] = {y.data()};
  for (auto _ : state) {
    fn(&p, consts, in, out, 0, p.out_h);
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
    const char *isa;
    qc_kernel_fn fn;
    bool runs;
  };
  const Variant variants[] = {
      {"avx512vnni", &qc_qs8_dwconv__avx512vnni,
       __builtin_cpu_supports("avx512vnni") && __builtin_cpu_supports("avx512bw")},
      {"avx2", &qc_qs8_dwconv__avx2, __builtin_cpu_supports("avx2")},
      {"generic", &qc_qs8_dwconv__generic, true}};
  for (const Variant &v : variants) {
    if (!v.runs)
      continue;
    for (DwShape s : kShapes) {
      std::string name = std::string("qs8_dwconv3x3/") + v.isa + "/" + std::to_string(s.size) +
                         "x" + std::to_string(s.size) + "x" + std::to_string(s.channels) + "/s" +
                         std::to_string(s.stride);
      benchmark::RegisterBenchmark(name.c_str(), runDwconv, v.fn, s);
    }
  }
  return true;
}

const bool kRegistered = registerAll();

} // namespace
