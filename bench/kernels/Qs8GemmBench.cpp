// The native int8 implicit-GEMM kernels (qs8_conv2d, qs8_gemm) on
// ResNet-18-shaped convolutions and on GEMM/GEMV shapes: GOPS (1 MAC = 2 ops)
// and % of the measured single-core vpdpbusd zmm peak, one thread.
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <random>

#include "bench/kernels/PeakBench.h"
#include "codegen/Emit.h"
#include "codegen/emit/Linear.h"
#include "codegen/kernels/KernelAbi.h"

extern "C" void qc_qs8_conv2d__avx512vnni(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_conv2d__avxvnni(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_conv2d__avx2(QC_KERNEL_PARAMS);
extern "C" void qc_qs8_gemm__avx512vnni(QC_KERNEL_PARAMS);

namespace qc::bench {
namespace {

using ir::ElemType;

ir::QuantParams quant(double scale, int64_t zp) {
  ir::QuantParams q;
  q.scales = {scale};
  q.zeroPoints = {zp};
  return q;
}

struct Buffer {
  std::unique_ptr<uint8_t, decltype(&std::free)> p{nullptr, &std::free};
  explicit Buffer(size_t n) : p(static_cast<uint8_t *>(std::aligned_alloc(64, (n + 127) / 64 * 64)), &std::free) {
    std::mt19937 gen(7);
    for (size_t i = 0; i < n; ++i)
      p.get()[i] = uint8_t(gen());
  }
};

/// A node's emitted call, ready to run natively.
struct Prepared {
  std::vector<uint8_t> params;
  std::vector<Buffer> blobs;
  std::vector<const void *> consts;
  int64_t tasks = 0;
};

Prepared prepare(const codegen::KernelCall &call) {
  Prepared p;
  p.params = call.params;
  for (const codegen::ConstBlob &b : call.consts) {
    p.blobs.emplace_back(b.bytes.size());
    std::memcpy(p.blobs.back().p.get(), b.bytes.data(), b.bytes.size());
  }
  for (Buffer &b : p.blobs)
    p.consts.push_back(b.p.get());
  p.tasks = call.tasks;
  return p;
}

codegen::Operand operandOf(const ir::Value *v, std::vector<int> perm) {
  codegen::Operand o;
  o.value = v;
  for (const ir::Dim &d : v->type().shape.dims())
    o.shape.push_back(d.value());
  if (perm.empty())
    for (size_t i = 0; i < o.shape.size(); ++i)
      perm.push_back(int(i));
  o.perm = std::move(perm);
  return o;
}

void report(benchmark::State &state, double macs) {
  state.counters["GOPS"] =
      benchmark::Counter(2 * macs / 1e9, benchmark::Counter::kIsIterationInvariantRate);
  state.counters["peak_GOPS"] = measuredVnniZmmPeakGops();
}

/// conv kxk, C -> M channels, HxW, stride 1, same padding, u8 in/out.
template <qc_kernel_fn Fn, codegen::Isa IsaV>
void BM_Conv(benchmark::State &state) {
  if (IsaV == codegen::Isa::AvxVnni && !cpuHasAvxVnni()) {
    state.SkipWithError("this CPU has no AVX-VNNI");
    return;
  }
  const int64_t c = state.range(0), m = state.range(0), hw = state.range(1), k = state.range(2);
  ir::Graph g;
  ir::Type xt(ElemType::U8, ir::Shape::fromStatic({1, c, hw, hw}));
  xt.quant = quant(0.02, 128);
  ir::Value *x = g.addInput("x", xt);
  ir::Tensor wt(ElemType::I8, {m, c, k, k});
  std::mt19937 gen(1);
  for (int64_t i = 0; i < wt.numElements(); ++i)
    wt.setInt(i, int64_t(gen() % 255) - 127);
  ir::Value *w = g.addConstant("w", wt);
  ir::Type wtype = w->type();
  wtype.quant = quant(0.01, 0);
  w->setType(wtype);
  ir::Type yt(ElemType::U8, ir::Shape::fromStatic({1, m, hw, hw}));
  yt.quant = quant(0.5, 0);
  ir::Node *n = g.createNode(ir::OpKind::QConv, {x, w}, {{"y", yt}});
  n->setAttr(ir::AttrName::kernel_shape, std::vector<int64_t>{k, k});
  int64_t pad = k / 2;
  n->setAttr(ir::AttrName::pads, std::vector<int64_t>{pad, pad, pad, pad});
  n->setAttr(ir::AttrName::act_min, int64_t(0));
  codegen::EmitContext ctx{*n, IsaV, {operandOf(x, {0, 2, 3, 1}), operandOf(w, {})},
                           {operandOf(n->result(0), {0, 2, 3, 1})}};
  auto calls = codegen::emitQConvGemm(ctx);
  if (!calls) {
    state.SkipWithError(llvm::toString(calls.takeError()).c_str());
    return;
  }
  Prepared p = prepare((*calls)[0]);
  Buffer in(size_t(c * hw * hw)), out(size_t(m * hw * hw));
  const void *ins[] = {in.p.get()};
  void *outs[] = {out.p.get()};
  for (auto _ : state) {
    Fn(p.params.data(), p.consts.data(), ins, outs, 0, p.tasks);
    benchmark::ClobberMemory();
  }
  report(state, double(hw * hw) * double(m) * double(c * k * k));
}

/// [M, K] x [K, N] with u8 a, s8 b, u8 result.
void BM_Gemm(benchmark::State &state) {
  const int64_t rows = state.range(0), k = state.range(1), n = state.range(2);
  ir::Graph g;
  ir::Type at(ElemType::U8, ir::Shape::fromStatic({rows, k}));
  at.quant = quant(0.02, 128);
  ir::Value *a = g.addInput("a", at);
  ir::Tensor bt(ElemType::I8, {k, n});
  std::mt19937 gen(2);
  for (int64_t i = 0; i < bt.numElements(); ++i)
    bt.setInt(i, int64_t(gen() % 255) - 127);
  ir::Value *b = g.addConstant("b", bt);
  ir::Type btype = b->type();
  btype.quant = quant(0.01, 0);
  b->setType(btype);
  ir::Type yt(ElemType::U8, ir::Shape::fromStatic({rows, n}));
  yt.quant = quant(0.5, 128);
  ir::Node *node = g.createNode(ir::OpKind::QMatMul, {a, b}, {{"y", yt}});
  codegen::EmitContext ctx{*node, codegen::Isa::Avx512Vnni, {operandOf(a, {}), operandOf(b, {})},
                           {operandOf(node->result(0), {})}};
  auto calls = codegen::emitQMatMulGemm(ctx);
  if (!calls) {
    state.SkipWithError(llvm::toString(calls.takeError()).c_str());
    return;
  }
  Prepared p = prepare((*calls)[0]);
  Buffer in(size_t(rows * k)), out(size_t(rows * n));
  const void *ins[] = {in.p.get()};
  void *outs[] = {out.p.get()};
  for (auto _ : state) {
    qc_qs8_gemm__avx512vnni(p.params.data(), p.consts.data(), ins, outs, 0, p.tasks);
    benchmark::ClobberMemory();
  }
  report(state, double(rows) * double(n) * double(k));
  state.counters["weight_GBps"] =
      benchmark::Counter(double(k * n) / 1e9, benchmark::Counter::kIsIterationInvariantRate);
}

// ResNet-18's stages: {channels, spatial, kernel}.
#define QC_RESNET_CONVS                                                        \
  ->Args({64, 56, 3})->Args({128, 28, 3})->Args({256, 14, 3})->Args({512, 7, 3})              \
  ->Args({64, 56, 1})->Args({128, 28, 1})->Args({256, 14, 1})->Args({512, 7, 1})
BENCHMARK(BM_Conv<qc_qs8_conv2d__avx512vnni, codegen::Isa::Avx512Vnni>)
    ->Name("conv/avx512vnni") QC_RESNET_CONVS->ArgNames({"C", "HW", "k"});
BENCHMARK(BM_Conv<qc_qs8_conv2d__avxvnni, codegen::Isa::AvxVnni>)
    ->Name("conv/avxvnni")->Args({64, 56, 3})->Args({256, 14, 3})->ArgNames({"C", "HW", "k"});
BENCHMARK(BM_Conv<qc_qs8_conv2d__avx2, codegen::Isa::Avx2>)
    ->Name("conv/avx2")->Args({64, 56, 3})->Args({256, 14, 3})->ArgNames({"C", "HW", "k"});
BENCHMARK(BM_Gemm)
    ->Name("gemm/avx512vnni")
    ->Args({1, 512, 1000})->Args({1, 4096, 4096})->Args({1, 768, 3072})
    ->Args({128, 768, 768})->Args({128, 768, 3072})->Args({128, 3072, 768})
    ->ArgNames({"M", "K", "N"});

} // namespace
} // namespace qc::bench
