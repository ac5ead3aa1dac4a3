// qc.QSoftmax and qc.QLayerNorm row kernels (codegen/kernels/Norm.cpp) on
// every ISA against the reference interpreter (double inside): int8 results
// within +-1 (the measured share of off-by-one results is printed), f32
// results within 1e-5 relative (LayerNorm: relative to the row's scale of
// values, since a bias can cancel a result to ~0).
#include "tests/kernels/XfmrHarness.h"

#include <cmath>
#include <cstdio>

namespace qc::xfmrtest {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;

struct Stats {
  int64_t compared = 0, offByOne = 0;
  double maxIntDiff = 0, maxRelErr = 0;
};

Stats &stats() {
  static Stats s;
  return s;
}

/// `floor`: the magnitude below which f32 errors are measured absolutely.
void expectClose(const ir::Tensor &ref, const ir::Tensor &got, double floor,
                 const std::string &what) {
  ASSERT_EQ(ref.dims(), got.dims()) << what;
  ASSERT_EQ(ref.elemType(), got.elemType()) << what;
  Stats &s = stats();
  int failures = 0;
  for (int64_t i = 0; i < ref.numElements(); ++i) {
    ++s.compared;
    if (ref.elemType() == ElemType::F32) {
      double r = ref.getDouble(i), g = got.getDouble(i);
      double rel = std::abs(r - g) / std::max(std::abs(r), floor);
      s.maxRelErr = std::max(s.maxRelErr, rel);
      if (!(rel <= 1e-5) && failures++ < 3)
        ADD_FAILURE() << what << ": element " << i << " reference " << r << " kernel " << g
                      << " (relative error " << rel << ")";
    } else {
      int64_t d = std::abs(ref.getInt(i) - got.getInt(i));
      s.maxIntDiff = std::max(s.maxIntDiff, double(d));
      s.offByOne += d != 0;
      if (d > 1 && failures++ < 3)
        ADD_FAILURE() << what << ": element " << i << " reference " << ref.getInt(i)
                      << " kernel " << got.getInt(i);
    }
  }
}

void checkAllIsas(const NodeRun &r, double floor, const std::string &what) {
  ASSERT_FALSE(r.reference.empty()) << what;
  for (codegen::Isa isa : kAllIsas) {
    if (!isaSupported(isa))
      continue;
    auto got = runKernels(r, isa);
    ASSERT_TRUE(bool(got)) << what << ": " << llvm::toString(got.takeError());
    expectClose(r.reference[0], (*got)[0], floor, what + " [" + codegen::isaName(isa).str() + "]");
  }
}

Arg input(std::mt19937 &rng, ElemType t, std::vector<int64_t> dims, double scale, int64_t zp) {
  Arg a;
  a.data = randomOf(rng, t, std::move(dims));
  if (t != ElemType::F32)
    a.quant = perTensor(scale, zp);
  return a;
}

std::optional<ir::QuantParams> resultQuant(ElemType t, double scale, int64_t zp) {
  if (t == ElemType::F32)
    return std::nullopt;
  return perTensor(scale, zp);
}

const ElemType kIo[] = {ElemType::U8, ElemType::I8, ElemType::F32};

TEST(NormKernels, Softmax) {
  std::mt19937 rng(21);
  struct Shape {
    std::vector<int64_t> dims;
    int64_t axis;
  };
  const Shape shapes[] = {{{1, 4, 7, 65}, -1}, {{1, 2, 64, 64}, 3}, {{1, 3, 9, 5}, 1},
                          {{1, 1, 1}, -1},     {{1, 2, 3000}, -1},  {{1, 5, 17}, 2}};
  for (const Shape &s : shapes)
    for (ElemType ti : kIo)
      for (ElemType to : kIo) {
        int64_t zi = ti == ElemType::U8 ? 131 : ti == ElemType::I8 ? -7 : 0;
        int64_t zo = to == ElemType::I8 ? -128 : 0;
        NodeRun r = makeNode(OpKind::QSoftmax, {input(rng, ti, s.dims, 0.08, zi)},
                             {{AttrName::axis, s.axis}}, {resultQuant(to, 1.0 / 256, zo)}, {to});
        checkAllIsas(r, 1e-30, "softmax " + ir::elemTypeName(ti).str() + "->" +
                                   ir::elemTypeName(to).str() + " axis " +
                                   std::to_string(s.axis));
      }
}

TEST(NormKernels, LayerNorm) {
  std::mt19937 rng(22);
  struct Shape {
    std::vector<int64_t> dims;
    int64_t axis;
    std::vector<int64_t> paramDims;
  };
  const Shape shapes[] = {{{1, 7, 64}, -1, {64}},
                          {{1, 9, 768}, 2, {768}},
                          {{1, 5, 3, 33}, 2, {3, 33}},
                          {{1, 4, 3, 33}, 2, {33}},
                          {{1, 3, 1}, -1, {1}},
                          {{1, 2, 37}, -1, {37}}};
  for (const Shape &s : shapes)
    for (ElemType ti : kIo)
      for (ElemType to : kIo)
        for (bool quantParams : {false, true})
          for (bool bias : {false, true}) {
            int64_t zi = ti == ElemType::U8 ? 120 : ti == ElemType::I8 ? 3 : 0;
            int64_t zo = to == ElemType::U8 ? 128 : 0;
            std::vector<Arg> args = {input(rng, ti, s.dims, 0.05, zi)};
            Arg gamma, beta;
            if (quantParams) {
              gamma = input(rng, ElemType::U8, s.paramDims, 0.01, 100);
              beta = input(rng, ElemType::I8, s.paramDims, 0.02, 0);
            } else {
              gamma.data = randomFloats(rng, s.paramDims, 0.5, 1.5);
              beta.data = randomFloats(rng, s.paramDims, -1, 1);
            }
            gamma.constant = beta.constant = true;
            args.push_back(gamma);
            if (bias)
              args.push_back(beta);
            NodeRun r = makeNode(OpKind::QLayerNorm, std::move(args),
                                 {{AttrName::axis, s.axis}, {AttrName::epsilon, 1e-5f}},
                                 {resultQuant(to, 0.03, zo)}, {to});
            // f32 results: errors relative to the row's scale (~1).
            checkAllIsas(r, 1.0, "layernorm " + ir::elemTypeName(ti).str() + "->" +
                                     ir::elemTypeName(to).str());
          }
}

TEST(NormKernels, ReportAccuracy) {
  const Stats &s = stats();
  std::printf("norm kernels: %lld results compared, int8 max |diff| %.0f, %lld int8 results "
              "off by one, f32 max relative error %.3g\n",
              (long long)s.compared, s.maxIntDiff, (long long)s.offByOne, s.maxRelErr);
  EXPECT_LE(s.maxIntDiff, 1);
}

} // namespace
} // namespace qc::xfmrtest
