// fp32 Softmax, LayerNormalization, BatchNormalization, Reduce* and average
// pools of every ISA against the interpreter.
#include "tests/kernels/F32Harness.h"

namespace qc::f32test {
namespace {

using ir::AttrName;
using ir::ElemType;
using ir::OpKind;
using ir::Tensor;

constexpr double kTolerance = 2e-6;

Tensor scalarI64s(std::vector<int64_t> v) {
  Tensor t(ElemType::I64, {int64_t(v.size())});
  for (size_t i = 0; i < v.size(); ++i)
    t.data<int64_t>()[i] = v[i];
  return t;
}

TEST(F32Norm, Softmax) {
  std::mt19937 rng(31);
  struct Case {
    std::vector<int64_t> dims;
    int64_t axis;
  };
  for (const Case &c : std::vector<Case>{{{4, 1000}, -1}, {{3, 17}, 1}, {{2, 3, 5}, 1},
                                         {{1, 1}, 0}, {{2, 4, 8, 77}, 3}}) {
    Arg x = argOf(xfmrtest::randomFloats(rng, c.dims, -20, 20));
    NodeRun r = makeNode(OpKind::Softmax, {x}, {{AttrName::axis, c.axis}});
    // Outputs are <= 1: errors count absolutely below 1e-3 (e^(x - max) of
    // a float difference carries |x - max| ulp).
    double e = expectAllIsasClose(r, "Softmax", kTolerance, 1e-3);
    std::printf("  Softmax extent %lld max error %.3g\n",
                (long long)c.dims[size_t(c.axis < 0 ? c.axis + c.dims.size() : c.axis)], e);
  }
}

TEST(F32Norm, LayerNormalization) {
  std::mt19937 rng(32);
  for (auto [dims, axis] : std::vector<std::pair<std::vector<int64_t>, int64_t>>{
           {{7, 768}, -1}, {{2, 5, 33}, 2}, {{3, 4, 5}, 1}, {{1, 1}, -1}}) {
    std::vector<int64_t> normDims(dims.begin() + (axis < 0 ? axis + dims.size() : axis),
                                  dims.end());
    Arg x = argOf(xfmrtest::randomFloats(rng, dims, -3, 5));
    Arg scale = argOf(xfmrtest::randomFloats(rng, normDims, 0.5, 2));
    Arg bias = argOf(xfmrtest::randomFloats(rng, {normDims.back()}, -1, 1));
    scale.constant = bias.constant = true;
    NodeRun r = makeNode(OpKind::LayerNormalization, {x, scale, bias},
                         {{AttrName::axis, axis}, {AttrName::epsilon, 1e-5f}});
    // Outputs are O(1) and (x - mean) * invStd * scale + bias cancels near
    // zero: errors are measured against 1 there.
    double e = expectAllIsasClose(r, "LayerNorm", kTolerance, 1.0);
    std::printf("  LayerNorm cols %lld max error %.3g\n", (long long)dims.back(), e);
  }
}

TEST(F32Norm, BatchNormalizationNchwNhwc) {
  std::mt19937 rng(33);
  for (bool nhwc : {false, true}) {
    int64_t c = 19;
    Arg x = argOf(xfmrtest::randomFloats(rng, {1, c, 5, 6}, -3, 3));
    if (nhwc)
      x.perm = kNhwc;
    std::vector<Arg> args = {x};
    for (int i = 0; i < 4; ++i) {
      Arg p = argOf(xfmrtest::randomFloats(rng, {c}, i == 3 ? 0.1f : -1.0f, 2.0f));
      p.constant = true;
      args.push_back(p);
    }
    NodeRun r = makeNode(OpKind::BatchNormalization, args, {{AttrName::epsilon, 1e-3f}});
    if (nhwc)
      r.resultPerms = {kNhwc};
    // O(1) outputs that cancel near zero, as LayerNorm's.
    double e = expectAllIsasClose(r, nhwc ? "BatchNorm nhwc" : "BatchNorm nchw", kTolerance, 1.0);
    std::printf("  BatchNorm max error %.3g\n", e);
  }
}

TEST(F32Norm, Reduce) {
  std::mt19937 rng(34);
  struct Case {
    std::vector<int64_t> dims, axes;
  };
  const std::vector<Case> cases = {{{3, 4, 5}, {2}},   {{3, 4, 5}, {1}},   {{3, 4, 5}, {0}},
                                   {{2, 8, 7, 7}, {2, 3}}, {{4, 1, 33}, {1, 2}}, {{6, 9}, {}},
                                   {{2, 3, 1000}, {-1}}};
  for (OpKind kind : {OpKind::ReduceSum, OpKind::ReduceMean, OpKind::ReduceMax, OpKind::ReduceMin})
    for (const Case &c : cases) {
      Arg x = argOf(xfmrtest::randomFloats(rng, c.dims, 0.1f, 3));
      std::vector<Arg> args = {x};
      if (!c.axes.empty()) {
        Arg axes = argOf(scalarI64s(c.axes));
        axes.constant = true;
        args.push_back(axes);
      }
      NodeRun r = makeNode(kind, args, {{AttrName::keepdims, int64_t(1)}});
      double e = expectAllIsasClose(r, ir::opName(kind).str(), kTolerance);
      std::printf("  %s extent of %zu dims: max error %.3g\n", ir::opName(kind).str().c_str(),
                  c.dims.size(), e);
    }
}

TEST(F32Norm, AveragePools) {
  std::mt19937 rng(35);
  for (int includePad = 0; includePad < 2; ++includePad)
    for (auto [k, s, pad] : std::vector<std::tuple<int64_t, int64_t, int64_t>>{
             {3, 1, 1}, {2, 2, 0}, {3, 2, 1}, {7, 1, 0}}) {
      Arg x = argOf(xfmrtest::randomFloats(rng, {1, 21, 9, 7}, -2, 2));
      x.perm = kNhwc;
      NodeRun r = makeNode(OpKind::AveragePool, {x},
                           {{AttrName::kernel_shape, std::vector<int64_t>{k, k}},
                            {AttrName::strides, std::vector<int64_t>{s, s}},
                            {AttrName::pads, std::vector<int64_t>{pad, pad, pad, pad}},
                            {AttrName::count_include_pad, int64_t(includePad)}});
      r.resultPerms = {kNhwc};
      // Means of values in [-2, 2] cancel: errors against 1 below it.
      expectAllIsasClose(r, "AveragePool", kTolerance, 1.0);
    }
  for (auto dims : std::vector<std::vector<int64_t>>{{1, 35, 7, 7}, {1, 64, 1, 1}}) {
    Arg x = argOf(xfmrtest::randomFloats(rng, dims, -2, 2));
    x.perm = kNhwc;
    NodeRun r = makeNode(OpKind::GlobalAveragePool, {x}, {});
    r.resultPerms = {kNhwc};
    expectAllIsasClose(r, "GlobalAveragePool", kTolerance, 1.0);
  }
}

} // namespace
} // namespace qc::f32test
