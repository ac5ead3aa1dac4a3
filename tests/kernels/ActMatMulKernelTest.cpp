// qc.QMatMul with two activations (codegen/kernels/Qs8BatchMatMul.cpp) on
// every ISA against the reference interpreter: bit exact over attention
// shapes (S = 1, 7, 64, 65; D = 1, 3, 64), u8/s8 mixes, zero points at
// their limits, broadcast batch dims, bias, u8/s8/f32 results.
#include "tests/kernels/XfmrHarness.h"

namespace qc::xfmrtest {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

struct Case {
  std::vector<int64_t> a, b;
  ElemType ta, tb, ty;
  int64_t za, zb, zy;
};

struct Extras {
  bool bias = false;
  std::optional<int64_t> actMin, actMax;
};

std::string describe(const Case &c) {
  auto dims = [](const std::vector<int64_t> &d) {
    std::string s;
    for (int64_t x : d)
      s += (s.empty() ? "" : "x") + std::to_string(x);
    return s;
  };
  return dims(c.a) + " * " + dims(c.b) + " " + ir::elemTypeName(c.ta).str() + "/" +
         ir::elemTypeName(c.tb).str() + "->" + ir::elemTypeName(c.ty).str() + " za " +
         std::to_string(c.za) + " zb " + std::to_string(c.zb);
}

Arg quantAct(std::mt19937 &rng, ElemType t, std::vector<int64_t> dims, double scale,
             int64_t zp) {
  Arg a;
  a.data = randomOf(rng, t, std::move(dims));
  a.quant = perTensor(scale, zp);
  return a;
}

void runCase(std::mt19937 &rng, const Case &c, const Extras &x = {}) {
  std::vector<Arg> args = {quantAct(rng, c.ta, c.a, 0.02, c.za),
                           quantAct(rng, c.tb, c.b, 0.03, c.zb)};
  if (x.bias) {
    Arg bias;
    bias.data = randomInts(rng, ElemType::I32, {c.b.back()}, -50000, 50000);
    bias.constant = true;
    args.push_back(bias);
  }
  std::vector<std::pair<AttrName, ir::AttrValue>> attrs;
  if (x.actMin)
    attrs.push_back({AttrName::act_min, *x.actMin});
  if (x.actMax)
    attrs.push_back({AttrName::act_max, *x.actMax});
  std::optional<ir::QuantParams> yq;
  if (c.ty != ElemType::F32)
    yq = perTensor(c.ty == ElemType::F32 ? 1.0 : 0.6 * double(c.a.back()) / 64 + 0.05, c.zy);
  NodeRun r = makeNode(OpKind::QMatMul, std::move(args), attrs, {yq}, {c.ty});
  ASSERT_FALSE(r.reference.empty()) << describe(c);
  expectAllIsasExact(r, describe(c));
}

TEST(ActMatMulKernels, AttentionShapes) {
  std::mt19937 rng(11);
  for (int64_t s : {1, 7, 64, 65})
    for (int64_t d : {1, 3, 64}) {
      // QK^T: [B, H, S, D] x [B, H, D, S]; PV: [B, H, S, S] x [B, H, S, D].
      runCase(rng, {{1, 2, s, d}, {1, 2, d, s}, ElemType::U8, ElemType::I8, ElemType::U8, 131,
                    -3, 120});
      runCase(rng, {{1, 2, s, s}, {1, 2, s, d}, ElemType::U8, ElemType::U8, ElemType::I8, 0,
                    128, -5});
      runCase(rng, {{1, 2, s, d}, {1, 2, d, s}, ElemType::I8, ElemType::I8, ElemType::F32, 5,
                    -7, 0});
    }
}

TEST(ActMatMulKernels, ZeroPointLimitsAndTypeMixes) {
  std::mt19937 rng(12);
  const ElemType q8[] = {ElemType::U8, ElemType::I8};
  for (ElemType ta : q8)
    for (ElemType tb : q8)
      for (ElemType ty : {ElemType::U8, ElemType::I8, ElemType::F32}) {
        int64_t aLo = ta == ElemType::U8 ? 0 : -128, aHi = aLo + 255;
        int64_t bLo = tb == ElemType::U8 ? 0 : -128, bHi = bLo + 255;
        int64_t yLo = ty == ElemType::I8 ? -128 : 0, yHi = yLo + 255;
        for (auto [za, zb] : {std::pair{aLo, bLo}, std::pair{aHi, bHi}, std::pair{aLo, bHi},
                              std::pair{aHi, bLo}})
          runCase(rng, {{1, 13, 67}, {1, 67, 33}, ta, tb, ty, za, zb,
                        ty == ElemType::F32 ? 0 : (za == aLo ? yLo : yHi)});
      }
}

TEST(ActMatMulKernels, BroadcastBiasAndClamp) {
  std::mt19937 rng(13);
  // B broadcast over A's batch, A broadcast over B's, both ways at once.
  runCase(rng, {{1, 3, 9, 17}, {1, 1, 17, 20}, ElemType::U8, ElemType::I8, ElemType::U8, 100,
                 3, 128});
  runCase(rng, {{1, 1, 9, 17}, {1, 4, 17, 20}, ElemType::I8, ElemType::U8, ElemType::I8, -1,
                 200, 0});
  runCase(rng, {{1, 3, 1, 5, 8}, {1, 1, 2, 8, 70}, ElemType::U8, ElemType::U8, ElemType::U8, 7,
                 9, 10});
  // Vectors: [K] x [.., K, N] and [.., M, K] x [K].
  runCase(rng, {{1, 19}, {19}, ElemType::U8, ElemType::I8, ElemType::I8, 12, 0, 3});
  Case c{{1, 6, 31}, {1, 31, 129}, ElemType::U8, ElemType::I8, ElemType::U8, 128, 1, 10};
  runCase(rng, c, {true, 10, 200});
  c.ty = ElemType::F32;
  c.zy = 0;
  runCase(rng, c, {true, std::nullopt, std::nullopt});
}

TEST(ActMatMulKernels, LargeKNearInt32Limits) {
  std::mt19937 rng(14);
  // |acc| up to K * 255 * 255 ~ 1.3e9 with K = 20000 and extreme data.
  Case c{{1, 5, 20000}, {1, 20000, 17}, ElemType::U8, ElemType::U8, ElemType::F32, 0, 255, 0};
  std::vector<Arg> args = {quantAct(rng, c.ta, c.a, 0.02, c.za),
                           quantAct(rng, c.tb, c.b, 0.03, c.zb)};
  for (int64_t i = 0; i < args[0].data.numElements(); ++i)
    args[0].data.setInt(i, 255);
  for (int64_t i = 0; i < args[1].data.numElements(); ++i)
    args[1].data.setInt(i, i % 97 == 0 ? 255 : 0);
  NodeRun r = makeNode(OpKind::QMatMul, std::move(args), {}, {std::nullopt}, {ElemType::F32});
  expectAllIsasExact(r, "large K");
}

} // namespace
} // namespace qc::xfmrtest

namespace qc::xfmrtest {
namespace {

// Not a correctness test: GOPS of the native kernels on attention shapes
// (run with --gtest_also_run_disabled_tests; pack + compute, one thread).
TEST(ActMatMulKernels, DISABLED_Throughput) {
  std::mt19937 rng(15);
  struct Shape {
    std::vector<int64_t> a, b;
  };
  const Shape shapes[] = {{{1, 12, 128, 64}, {1, 12, 64, 128}},
                          {{1, 12, 128, 128}, {1, 12, 128, 64}},
                          {{1, 1, 512, 64}, {1, 1, 64, 512}},
                          {{1, 1, 512, 512}, {1, 1, 512, 64}},
                          {{1, 1, 256, 1024}, {1, 1, 1024, 256}}};
  for (const Shape &s : shapes) {
    Arg a, b;
    a.data = randomOf(rng, ElemType::U8, s.a);
    a.quant = perTensor(0.02, 128);
    b.data = randomOf(rng, ElemType::I8, s.b);
    b.quant = perTensor(0.02, 0);
    NodeRun r = makeNode(OpKind::QMatMul, {a, b}, {}, {perTensor(0.5, 128)}, {ElemType::U8});
    double macs = double(s.a[1]) * double(s.a[2]) * double(s.a[3]) * double(s.b[3]);
    for (codegen::Isa isa : kAllIsas) {
      if (!isaSupported(isa))
        continue;
      Timing timing;
      timing.repeats = 20;
      auto got = runKernels(r, isa, nullptr, &timing);
      ASSERT_TRUE(bool(got)) << llvm::toString(got.takeError());
      expectIdentical(r.reference[0], (*got)[0], "throughput shape");
      std::printf("qs8_bmm %s %lldx%lldx%lldx%lld * ..x%lld: %.1f GOPS\n",
                  codegen::isaName(isa).str().c_str(), (long long)s.a[1], (long long)s.a[2],
                  (long long)s.a[3], (long long)s.b[3], (long long)s.b[3],
                  2 * macs / timing.seconds / 1e9);
    }
  }
}

} // namespace
} // namespace qc::xfmrtest
