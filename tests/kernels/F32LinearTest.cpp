// fp32 MatMul, Gemm and Conv kernels of every ISA against the interpreter
// (which accumulates in double): awkward sizes (tails of the 6-row and
// NR-column blocks, K odd, 1x1 spatial), batches, transposes, groups.
#include "tests/kernels/F32Harness.h"

namespace qc::f32test {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;
using ir::Tensor;

// A dot product of K fp32 terms is off the double reference by up to
// ~K * 2^-24 of the sum of |terms|; the tests measure error relative to
// that sum (per element floors), so cancellation cannot hide or fake errors.
constexpr double kTolerance = 2e-6;

/// Per-output floors sum_k |a_ik b_kj| (+ |bias|) computed from the
/// reference run on |inputs|.
std::vector<double> magnitudeFloors(ir::OpKind kind, std::vector<Arg> args,
                                    std::vector<std::pair<AttrName, ir::AttrValue>> attrs) {
  for (Arg &a : args) {
    if (a.absent)
      continue;
    for (int64_t i = 0; i < a.data.numElements(); ++i)
      a.data.data<float>()[i] = std::fabs(a.data.data<float>()[i]);
  }
  NodeRun abs = makeNode(kind, args, attrs);
  std::vector<double> floors;
  for (int64_t i = 0; i < abs.reference[0].numElements(); ++i)
    floors.push_back(std::max(abs.reference[0].getDouble(i), 1e-30));
  return floors;
}

void checkLinear(OpKind kind, std::vector<Arg> args,
                 std::vector<std::pair<AttrName, ir::AttrValue>> attrs, const std::string &what,
                 bool nhwc = false) {
  NodeRun r = makeNode(kind, args, attrs);
  if (nhwc)
    r.resultPerms = {kNhwc};
  std::vector<double> floors = magnitudeFloors(kind, args, attrs);
  double e = expectAllIsasClose(r, what, kTolerance, 0.0, &floors);
  std::printf("  %-40s max error %.3g (relative to sum |terms|)\n", what.c_str(), e);
}

TEST(F32Gemm, MatMulConstantAndActivationB) {
  std::mt19937 rng(21);
  struct Case {
    std::vector<int64_t> a, b;
  };
  const Case cases[] = {
      {{1, 1}, {1, 1}},         {{1, 7}, {7, 3}},          {{5, 17}, {17, 9}},
      {{6, 64}, {64, 64}},      {{13, 33}, {33, 65}},      {{37, 300}, {300, 70}},
      {{2, 7, 31}, {31, 19}},   {{3, 4, 9}, {3, 9, 17}},   {{2, 1, 5, 8}, {3, 8, 11}},
      {{9}, {9, 20}},           {{4, 9}, {9}},             {{1, 1000}, {1000, 100}},
  };
  for (const Case &c : cases)
    for (bool constB : {true, false}) {
      Arg a = argOf(xfmrtest::randomFloats(rng, c.a, -2, 2));
      Arg b = argOf(xfmrtest::randomFloats(rng, c.b, -2, 2));
      b.constant = constB;
      std::string what = "MatMul a" + std::to_string(c.a.size()) + "d k=" +
                         std::to_string(c.a.back()) + " n=" + std::to_string(c.b.back()) +
                         (constB ? " const" : " act");
      checkLinear(OpKind::MatMul, {a, b}, {}, what);
    }
}

TEST(F32Gemm, GemmTransposesAlphaBetaBroadcastC) {
  std::mt19937 rng(22);
  for (int transA = 0; transA < 2; ++transA)
    for (int transB = 0; transB < 2; ++transB)
      for (int cMode = 0; cMode < 4; ++cMode) {
        int64_t m = 7, k = 13, n = 21;
        Arg a = argOf(xfmrtest::randomFloats(rng, transA ? std::vector<int64_t>{k, m}
                                                 : std::vector<int64_t>{m, k},
                                     -1, 1));
        Arg b = argOf(xfmrtest::randomFloats(rng, transB ? std::vector<int64_t>{n, k}
                                                 : std::vector<int64_t>{k, n},
                                     -1, 1));
        b.constant = true;
        std::vector<int64_t> cDims = cMode == 0   ? std::vector<int64_t>{n}
                                     : cMode == 1 ? std::vector<int64_t>{m, 1}
                                     : cMode == 2 ? std::vector<int64_t>{m, n}
                                                  : std::vector<int64_t>{1};
        Arg c = argOf(xfmrtest::randomFloats(rng, cDims, -1, 1));
        c.constant = true;
        std::vector<std::pair<AttrName, ir::AttrValue>> attrs = {
            {AttrName::transA, int64_t(transA)},
            {AttrName::transB, int64_t(transB)},
            {AttrName::alpha, 0.75f},
            {AttrName::beta, cMode == 3 ? 1.0f : -2.0f}};
        checkLinear(OpKind::Gemm, {a, b, c}, attrs,
                    "Gemm tA=" + std::to_string(transA) + " tB=" + std::to_string(transB) +
                        " c=" + std::to_string(cMode));
      }
}

struct ConvCase {
  int64_t c, h, w, m, kh, kw, stride, dilation, pad, group;
  bool bias;
};

TEST(F32Conv, DenseGroupedDepthwiseNhwc) {
  std::mt19937 rng(23);
  const ConvCase cases[] = {
      {3, 8, 8, 16, 3, 3, 1, 1, 1, 1, true},     // 3x3 same
      {64, 7, 7, 64, 3, 3, 1, 1, 1, 1, true},    // >= 64 channels
      {17, 9, 6, 70, 1, 1, 1, 1, 0, 1, false},   // 1x1, tails
      {16, 11, 13, 24, 3, 3, 2, 1, 1, 1, true},  // strided
      {8, 10, 10, 8, 3, 3, 1, 2, 2, 1, true},    // dilated
      {12, 6, 7, 18, 3, 1, 1, 1, 0, 3, true},    // grouped, non-square kernel
      {32, 9, 9, 32, 3, 3, 1, 1, 1, 32, true},   // depthwise
      {8, 8, 8, 16, 3, 3, 2, 1, 1, 8, false},    // depthwise, multiplier 2
      {5, 1, 1, 7, 1, 1, 1, 1, 0, 1, true},      // 1x1 spatial
      {4, 5, 5, 9, 5, 5, 1, 1, 0, 1, true},      // 5x5 -> 1x1 output
  };
  for (const ConvCase &c : cases) {
    Arg x = argOf(xfmrtest::randomFloats(rng, {1, c.c, c.h, c.w}, -1, 1));
    x.perm = kNhwc;
    Arg w = argOf(xfmrtest::randomFloats(rng, {c.m, c.c / c.group, c.kh, c.kw}, -1, 1));
    w.constant = true;
    Arg b = argOf(xfmrtest::randomFloats(rng, {c.m}, -1, 1));
    b.constant = true;
    b.absent = !c.bias;
    std::vector<std::pair<AttrName, ir::AttrValue>> attrs = {
        {AttrName::strides, std::vector<int64_t>{c.stride, c.stride}},
        {AttrName::dilations, std::vector<int64_t>{c.dilation, c.dilation}},
        {AttrName::pads, std::vector<int64_t>{c.pad, c.pad, c.pad, c.pad}},
        {AttrName::group, c.group}};
    char what[128];
    std::snprintf(what, sizeof what, "Conv c%lld m%lld k%lldx%lld s%lld d%lld g%lld",
                  (long long)c.c, (long long)c.m, (long long)c.kh, (long long)c.kw,
                  (long long)c.stride, (long long)c.dilation, (long long)c.group);
    checkLinear(OpKind::Conv, {x, w, b}, attrs, what, /*nhwc=*/true);
  }
}

} // namespace
} // namespace qc::f32test
