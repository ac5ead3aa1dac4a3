// Reference kernels for the Linear op family (Conv, ConvTranspose, MatMul,
// Gemm) and the shared walk geometry. Float math accumulates in double and
// rounds to the output type once; integer MatMul/Gemm wrap like C unsigned
// arithmetic, modulo 2^64, before the output's own wrap.
#include "interp/kernels/LinearWalk.h"

#include <algorithm>
#include <cmath>

#include "ir/infer/LinearShapes.h"

namespace qc::interp::kernels {

using ir::ElemType;
using ir::Tensor;

std::vector<double> toDoubles(const Tensor &t) {
  std::vector<double> v(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[size_t(i)] = t.getDouble(i);
  return v;
}

std::vector<int64_t> toInts(const Tensor &t) {
  std::vector<int64_t> v(size_t(t.numElements()));
  for (int64_t i = 0; i < t.numElements(); ++i)
    v[size_t(i)] = t.getInt(i);
  return v;
}

namespace {
// The geometry both convolution walks share: `infer` (the ONNX shape rule)
// gives the window; channels come from `outChannels`.
template <typename Shape, typename Infer>
llvm::Expected<Shape> windowShape(const EvalContext &ctx, const Tensor &x, const Tensor &w,
                                  const Tensor &y, Infer infer, int64_t outChannels) {
  ir::InferContext ictx{ctx.node, {}, {}};
  ir::infer::WindowGeometry g;
  auto shape = infer(ictx, x.type().shape, w.type().shape, &g);
  if (!shape)
    return shape.takeError();
  Shape s;
  s.batch = x.dims()[0];
  s.inChannels = x.dims()[1];
  s.outChannels = outChannels;
  s.group = ctx.node.getInt(ir::AttrName::group);
  s.inSpatial.assign(x.dims().begin() + 2, x.dims().end());
  s.outSpatial.assign(y.dims().begin() + 2, y.dims().end());
  s.kernel = g.kernel;
  s.strides = g.strides;
  s.dilations = g.dilations;
  s.padsBegin.assign(g.pads.begin(), g.pads.begin() + long(s.inSpatial.size()));
  return s;
}
} // namespace

llvm::Expected<ConvShape> convShape(const EvalContext &ctx, const Tensor &x, const Tensor &w,
                                    const Tensor &y) {
  // Conv's weight is M x C/group x k...
  return windowShape<ConvShape>(ctx, x, w, y, ir::infer::convOutputShape, w.dims()[0]);
}

llvm::Expected<ConvTransposeShape> convTransposeShape(const EvalContext &ctx, const Tensor &x,
                                                      const Tensor &w, const Tensor &y) {
  // ConvTranspose's M is group * w's dim 1: read it off the output.
  return windowShape<ConvTransposeShape>(ctx, x, w, y, ir::infer::convTransposeOutputShape,
                                         y.dims()[1]);
}

MatMulShape matMulShape(llvm::ArrayRef<int64_t> aDims, llvm::ArrayRef<int64_t> bDims) {
  std::vector<int64_t> a(aDims.begin(), aDims.end()), b(bDims.begin(), bDims.end());
  if (a.size() == 1)
    a.insert(a.begin(), 1);
  if (b.size() == 1)
    b.push_back(1);
  MatMulShape s;
  s.m = a[a.size() - 2];
  s.k = a.back();
  s.n = b.back();
  std::vector<int64_t> aBatch(a.begin(), a.end() - 2), bBatch(b.begin(), b.end() - 2);
  size_t rank = std::max(aBatch.size(), bBatch.size());
  std::vector<int64_t> batch(rank);
  for (size_t i = 0; i < rank; ++i) {
    int64_t da = i + aBatch.size() >= rank ? aBatch[i + aBatch.size() - rank] : 1;
    int64_t db = i + bBatch.size() >= rank ? bBatch[i + bBatch.size() - rank] : 1;
    batch[i] = da == 1 ? db : da;
  }
  for (int64_t idx : broadcastIndexMap(batch, aBatch))
    s.aOffsets.push_back(idx * s.m * s.k);
  for (int64_t idx : broadcastIndexMap(batch, bBatch))
    s.bOffsets.push_back(idx * s.k * s.n);
  s.fullDims = batch;
  s.fullDims.push_back(s.m);
  s.fullDims.push_back(s.n);
  return s;
}

llvm::Error evalConv(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor &y = ctx.out();
  auto s = convShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  std::vector<double> bias = ctx.has(2) ? toDoubles(ctx.in(2)) : std::vector<double>();
  convolve<double>(*s, toDoubles(x), toDoubles(w), [&](int64_t i, int64_t m, double acc) {
    y.setDouble(i, bias.empty() ? acc : acc + bias[size_t(m)]);
  });
  return llvm::Error::success();
}

llvm::Error evalConvTranspose(EvalContext &ctx) {
  const Tensor &x = ctx.in(0), &w = ctx.in(1);
  Tensor &y = ctx.out();
  auto s = convTransposeShape(ctx, x, w, y);
  if (!s)
    return s.takeError();
  std::vector<double> acc = convTransposeSums<double>(*s, toDoubles(x), toDoubles(w));
  std::vector<double> bias = ctx.has(2) ? toDoubles(ctx.in(2)) : std::vector<double>();
  int64_t outSize = product(s->outSpatial);
  for (int64_t i = 0; i < y.numElements(); ++i) {
    int64_t m = (i / outSize) % s->outChannels;
    y.setDouble(i, bias.empty() ? acc[size_t(i)] : acc[size_t(i)] + bias[size_t(m)]);
  }
  return llvm::Error::success();
}

llvm::Error evalMatMul(EvalContext &ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor &y = ctx.out();
  MatMulShape s = matMulShape(a.dims(), b.dims());
  if (ir::isFloatType(a.elemType())) {
    matMulWalk<double>(s, toDoubles(a), toDoubles(b),
                       [&](int64_t i, double acc) { y.setDouble(i, acc); });
    return llvm::Error::success();
  }
  // Integers wrap: accumulate modulo 2^64, then the output type wraps.
  auto toUnsigned = [](const Tensor &t) {
    std::vector<uint64_t> v(size_t(t.numElements()));
    for (int64_t i = 0; i < t.numElements(); ++i)
      v[size_t(i)] = uint64_t(t.getInt(i));
    return v;
  };
  matMulWalk<uint64_t>(s, toUnsigned(a), toUnsigned(b),
                       [&](int64_t i, uint64_t acc) { y.setInt(i, int64_t(acc)); });
  return llvm::Error::success();
}

llvm::Error evalGemm(EvalContext &ctx) {
  const Tensor &a = ctx.in(0), &b = ctx.in(1);
  Tensor &y = ctx.out();
  bool transA = ctx.node.getInt(ir::AttrName::transA) != 0;
  bool transB = ctx.node.getInt(ir::AttrName::transB) != 0;
  double alpha = ctx.node.getFloat(ir::AttrName::alpha);
  double beta = ctx.node.getFloat(ir::AttrName::beta);
  int64_t m = y.dims()[0], n = y.dims()[1];
  int64_t k = transA ? a.dims()[0] : a.dims()[1];
  auto aIndex = [&](int64_t i, int64_t kk) { return transA ? kk * m + i : i * k + kk; };
  auto bIndex = [&](int64_t kk, int64_t j) { return transB ? j * k + kk : kk * n + j; };
  std::vector<int64_t> cMap;
  if (ctx.has(2))
    cMap = broadcastIndexMap({m, n}, ctx.in(2).dims());
  const Tensor *c = ctx.has(2) ? &ctx.in(2) : nullptr;

  bool exactInts = !ir::isFloatType(a.elemType()) && alpha == std::trunc(alpha) &&
                   beta == std::trunc(beta) && std::abs(alpha) < 0x1p62 && std::abs(beta) < 0x1p62;
  if (exactInts) {
    // Integral alpha/beta on integer data: exact, wrapping modulo 2^64.
    std::vector<int64_t> av = toInts(a), bv = toInts(b);
    std::vector<int64_t> cv = c ? toInts(*c) : std::vector<int64_t>();
    for (int64_t i = 0; i < m; ++i)
      for (int64_t j = 0; j < n; ++j) {
        uint64_t acc = 0;
        for (int64_t kk = 0; kk < k; ++kk)
          acc += uint64_t(av[size_t(aIndex(i, kk))]) * uint64_t(bv[size_t(bIndex(kk, j))]);
        acc *= uint64_t(int64_t(alpha));
        if (c)
          acc += uint64_t(int64_t(beta)) * uint64_t(cv[size_t(cMap[size_t(i * n + j)])]);
        y.setInt(i * n + j, int64_t(acc));
      }
    return llvm::Error::success();
  }
  std::vector<double> av = toDoubles(a), bv = toDoubles(b);
  std::vector<double> cv = c ? toDoubles(*c) : std::vector<double>();
  for (int64_t i = 0; i < m; ++i)
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      for (int64_t kk = 0; kk < k; ++kk)
        acc += av[size_t(aIndex(i, kk))] * bv[size_t(bIndex(kk, j))];
      acc *= alpha;
      if (c)
        acc += beta * cv[size_t(cMap[size_t(i * n + j)])];
      y.setDouble(i * n + j, acc);
    }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
