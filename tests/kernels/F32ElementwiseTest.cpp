// fp32 elementwise and Cast kernels of every ISA against the interpreter:
// wide input ranges, denormals, +-inf, NaN, broadcasting in NCHW and NHWC.
#include "tests/kernels/F32Harness.h"

#include <limits>

namespace qc::f32test {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;
using ir::Tensor;

// Relative error the fp32 kernels promise against the interpreter.
constexpr double kTolerance = 1e-6;

/// Floats spanning the whole range: uniform in [-lo, hi], log-uniform
/// magnitudes from 1e-40 to 1e38 of both signs, and the special values.
Tensor wideFloats(std::mt19937 &rng, std::vector<int64_t> dims, float lo, float hi) {
  Tensor t(ElemType::F32, std::move(dims));
  std::uniform_real_distribution<float> uni(std::max(lo, -100.0f), std::min(hi, 100.0f));
  std::uniform_real_distribution<float> expo(-40.0f, 38.0f);
  const float specials[] = {0.0f,
                            -0.0f,
                            std::numeric_limits<float>::infinity(),
                            -std::numeric_limits<float>::infinity(),
                            std::numeric_limits<float>::quiet_NaN(),
                            1e-45f,
                            -3e-42f,
                            1.17549435e-38f,
                            0.5f,
                            -0.5f,
                            1.5f,
                            2.5f,
                            -2.5f,
                            1.0f,
                            -1.0f};
  float *d = t.data<float>();
  for (int64_t i = 0; i < t.numElements(); ++i) {
    if (i < int64_t(std::size(specials)))
      d[i] = specials[i];
    else if (i % 3 == 0)
      d[i] = (i % 2 ? -1.0f : 1.0f) * std::pow(10.0f, expo(rng));
    else
      d[i] = uni(rng);
    d[i] = std::min(std::max(d[i], lo), hi) == d[i] || std::isnan(d[i]) ? d[i] : uni(rng);
  }
  return t;
}

struct UnaryCase {
  OpKind kind;
  float lo, hi; // input range where the double reference is itself exact
  std::vector<std::pair<AttrName, ir::AttrValue>> attrs = {};
};

TEST(F32Elementwise, UnaryOpsOverTheFloatRange) {
  const float inf = std::numeric_limits<float>::infinity();
  // Gelu's reference 1 + erf(x / sqrt2) in double loses all digits below
  // x ~ -5.5 (the kernel uses erfc there, < 5e-7 against an erfc-based
  // double reference over the whole range; not part of this test).
  const UnaryCase cases[] = {
      {OpKind::Neg, -inf, inf},
      {OpKind::Abs, -inf, inf},
      {OpKind::Sqrt, -inf, inf},
      {OpKind::Reciprocal, -inf, inf},
      {OpKind::Exp, -inf, inf},
      {OpKind::Log, -inf, inf},
      {OpKind::Erf, -inf, inf},
      {OpKind::Tanh, -inf, inf},
      {OpKind::Sigmoid, -inf, inf},
      {OpKind::Relu, -inf, inf},
      {OpKind::LeakyRelu, -inf, inf, {{AttrName::alpha, 0.1f}}},
      {OpKind::HardSigmoid, -inf, inf, {{AttrName::alpha, 0.25f}, {AttrName::beta, 0.4f}}},
      {OpKind::HardSwish, -inf, inf},
      {OpKind::Gelu, -5.0f, inf},
      {OpKind::Gelu, -5.0f, inf, {{AttrName::approximate, std::string("tanh")}}},
      {OpKind::Floor, -inf, inf},
      {OpKind::Ceil, -inf, inf},
      {OpKind::Round, -inf, inf},
  };
  std::mt19937 rng(7);
  for (const UnaryCase &c : cases) {
    // 1x1, a tail, and a long row split into several tasks.
    for (int64_t n : {int64_t(1), int64_t(37), int64_t(70001)}) {
      Tensor x = wideFloats(rng, {n}, c.lo, c.hi);
      NodeRun r = makeNode(c.kind, {argOf(x)}, c.attrs);
      std::string what = ir::opName(c.kind).str() + " n=" + std::to_string(n);
      double e = expectAllIsasClose(r, what, kTolerance);
      if (n == 70001)
        std::printf("  %-12s max relative error %.3g\n", what.c_str(), e);
    }
  }
}

TEST(F32Elementwise, BinaryBroadcastNchwAndNhwc) {
  std::mt19937 rng(11);
  const OpKind kinds[] = {OpKind::Add, OpKind::Sub, OpKind::Mul,  OpKind::Div,
                          OpKind::Min, OpKind::Max, OpKind::PRelu, OpKind::Pow};
  struct Shapes {
    std::vector<int64_t> a, b;
  };
  const Shapes shapes[] = {{{2, 3, 5, 7}, {2, 3, 5, 7}},
                           {{2, 3, 5, 7}, {3, 1, 1}},
                           {{2, 3, 5, 7}, {7}},
                           {{1, 17, 1, 1}, {1, 17, 1, 1}},
                           {{2, 1, 5, 1}, {1, 3, 1, 7}},
                           {{4, 33}, {1}}};
  for (OpKind kind : kinds)
    for (const Shapes &s : shapes)
      for (bool nhwc : {false, true})
        for (bool constB : {false, true}) {
          if (nhwc && s.a.size() != 4)
            continue;
          // PRelu's slope broadcasts one way only.
          bool oneWay = s.b.size() <= s.a.size();
          for (size_t d = 0; d < s.b.size() && oneWay; ++d)
            oneWay = s.b[d] == 1 || s.b[d] == s.a[d + s.a.size() - s.b.size()];
          if (kind == OpKind::PRelu && !oneWay)
            continue;
          Arg a = argOf(kind == OpKind::Pow ? xfmrtest::randomFloats(rng, s.a, 0.1f, 4.0f)
                                    : wideFloats(rng, s.a, -1e3f, 1e3f));
          Arg b = argOf(kind == OpKind::Pow ? xfmrtest::randomFloats(rng, s.b, -3.0f, 3.0f)
                                    : wideFloats(rng, s.b, -1e3f, 1e3f));
          b.constant = constB;
          if (nhwc) {
            a.perm = kNhwc;
            if (!constB && s.b.size() == 4)
              b.perm = kNhwc;
          }
          NodeRun r = makeNode(kind, {a, b}, {});
          if (nhwc && r.reference[0].rank() == 4)
            r.resultPerms = {kNhwc};
          std::string what = ir::opName(kind).str() + (nhwc ? " nhwc" : " nchw") +
                             (constB ? " const" : "");
          // Pow's general path, e^(b ln a), has ~|b ln a| ulp of error.
          expectAllIsasClose(r, what, kind == OpKind::Pow ? 4e-6 : kTolerance);
        }
}

TEST(F32Elementwise, VariadicAndConstantOperands) {
  std::mt19937 rng(3);
  for (OpKind kind : {OpKind::Sum, OpKind::Mean, OpKind::Max, OpKind::Min})
    for (int inputs = 1; inputs <= 3; ++inputs) {
      std::vector<Arg> args;
      std::vector<std::vector<int64_t>> dims = {{3, 4, 9}, {4, 1}, {9}};
      for (int i = 0; i < inputs; ++i)
        args.push_back(argOf(wideFloats(rng, dims[size_t(i)], -50.0f, 50.0f)));
      NodeRun r = makeNode(kind, args, {});
      expectAllIsasClose(r, ir::opName(kind).str() + " x" + std::to_string(inputs),
                         kTolerance);
    }
  // Pow by the constant exponents with exact forms, and Clip bounds.
  for (float e : {2.0f, 0.5f, 3.0f, -1.0f, 1.0f, 1.7f}) {
    Tensor exponent(ElemType::F32, {});
    exponent.data<float>()[0] = e;
    Arg x = argOf(wideFloats(rng, {5, 40}, -1e10f, 1e10f));
    Arg b = argOf(exponent);
    b.constant = true;
    NodeRun r = makeNode(OpKind::Pow, {x, b}, {});
    // The general path e^(b ln|a|) carries ~|b ln a| ulp (here up to ~90).
    expectAllIsasClose(r, "Pow const " + std::to_string(e), e == 1.7f ? 1e-5 : kTolerance);
  }
  Tensor lo(ElemType::F32, {}), hi(ElemType::F32, {});
  lo.data<float>()[0] = -1.5f;
  hi.data<float>()[0] = 6.0f;
  for (int mode = 0; mode < 3; ++mode) {
    Arg x = argOf(wideFloats(rng, {2, 3, 4, 5}, -10.0f, 10.0f));
    x.perm = kNhwc;
    Arg a = argOf(lo), b = argOf(hi);
    a.constant = b.constant = true;
    a.absent = mode == 1;
    b.absent = mode == 2;
    NodeRun r = makeNode(OpKind::Clip, {x, a, b}, {});
    r.resultPerms = {kNhwc};
    expectAllIsasClose(r, "Clip mode " + std::to_string(mode), 0.0);
  }
}

TEST(F32Elementwise, RefusesNonF32) {
  std::mt19937 rng(1);
  NodeRun r = makeNode(OpKind::Add,
                       {argOf(xfmrtest::randomInts(rng, ElemType::I32, {4}, 0, 9)),
                        argOf(xfmrtest::randomInts(rng, ElemType::I32, {4}, 0, 9))},
                       {});
  auto got = runF32Kernels(r, codegen::Isa::Generic);
  ASSERT_FALSE(bool(got));
  EXPECT_NE(llvm::toString(got.takeError()).find("fp32 kernels only"), std::string::npos);
}

TEST(F32Elementwise, CastAllPairs) {
  std::mt19937 rng(5);
  const ElemType types[] = {ElemType::F32, ElemType::I32, ElemType::I64,
                            ElemType::U8,  ElemType::I8,  ElemType::Bool};
  for (ElemType from : types)
    for (ElemType to : types) {
      Tensor x(from, {3, 5, 2, 7});
      if (from == ElemType::F32) {
        x = wideFloats(rng, {3, 5, 2, 7}, -3e3f, 3e3f);
        // Saturation edges of every integer type.
        float edges[] = {127.5f, -128.7f, 255.9f, 256.0f, -0.9f, 2147483648.0f,
                         -2147483904.0f, 9.3e18f, -9.3e18f, 3e9f};
        for (size_t i = 0; i < std::size(edges); ++i)
          x.data<float>()[20 + i] = edges[i];
      } else if (from == ElemType::Bool) {
        x = xfmrtest::randomInts(rng, from, {3, 5, 2, 7}, 0, 1);
      } else {
        int64_t lo = from == ElemType::U8 ? 0 : from == ElemType::I8 ? -128 : -(int64_t(1) << 40);
        int64_t hi = from == ElemType::U8 ? 255 : from == ElemType::I8 ? 127 : int64_t(1) << 40;
        if (from == ElemType::I32) {
          lo = INT32_MIN;
          hi = INT32_MAX;
        }
        x = xfmrtest::randomInts(rng, from, {3, 5, 2, 7}, lo, hi);
      }
      for (bool nhwc : {false, true}) {
        Arg a = argOf(x);
        if (nhwc)
          a.perm = kNhwc;
        NodeRun r = makeNode(OpKind::Cast, {a}, {{AttrName::to, to}});
        if (nhwc)
          r.resultPerms = {kNhwc};
        std::string what = "Cast " + ir::elemTypeName(from).str() + " -> " +
                           ir::elemTypeName(to).str() + (nhwc ? " nhwc" : "");
        expectAllIsasIdentical(r, what);
      }
    }
}

} // namespace
} // namespace qc::f32test
