// Reference kernels for MaxPool (with optional Indices), AveragePool and the
// global pools over any number of spatial dims. Windows are walked tap by tap
// with the geometry shape inference resolved, so padding and ceil_mode
// overhang are handled in one place: taps outside the input are skipped.
#include "interp/kernels/PoolWalk.h"

#include <cmath>
#include <limits>

namespace qc::interp::kernels {

using ir::Tensor;

llvm::Expected<ir::infer::WindowGeometry> windowGeometryOf(const EvalContext &ctx) {
  std::vector<ir::Type> types;
  for (const Tensor *t : ctx.inputs)
    types.push_back(t ? t->type() : ir::Type());
  ir::InferContext ictx{ctx.node, {}, ctx.inputs};
  for (size_t i = 0; i < types.size(); ++i)
    ictx.operandTypes.push_back(ctx.inputs[i] ? &types[i] : nullptr);
  const Tensor &x = ctx.in(0);
  std::vector<ir::Dim> spatial(x.dims().begin() + 2, x.dims().end());
  return ir::infer::windowGeometry(ictx, spatial.size(), spatial, std::nullopt);
}

int64_t planeSize(llvm::ArrayRef<int64_t> dims) {
  int64_t n = 1;
  for (size_t d = 2; d < dims.size(); ++d)
    n *= dims[d];
  return n;
}

namespace {

/// The value a window without any input tap takes for max: the lowest value
/// of the type (no input element to pick).
double lowestValue(ir::ElemType t) {
  return ir::isFloatType(t) ? -INFINITY : double(ir::elemTypeMin(t));
}

} // namespace

llvm::Error evalMaxPool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  auto g = windowGeometryOf(ctx);
  if (!g)
    return g.takeError();
  Tensor &y = ctx.out(0);
  Tensor *indices = ctx.outputs.size() > 1 ? &ctx.out(1) : nullptr;
  bool columnMajor = ctx.node.getInt(ir::AttrName::storage_order) == 1;
  llvm::ArrayRef<int64_t> inSpatial = llvm::ArrayRef(x.dims()).drop_front(2);
  llvm::ArrayRef<int64_t> outSpatial = llvm::ArrayRef(y.dims()).drop_front(2);
  int64_t inPlane = planeSize(x.dims()), outPlane = planeSize(y.dims());
  int64_t planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p) {
    forEachWindow(*g, inSpatial, outSpatial, [&](const Window &w, int64_t outOffset) {
      // The first maximum in window order wins. NaN is skipped unless every
      // tap is NaN (the ONNX reference drops NaNs); padding is never a
      // candidate, and a window without taps yields the lowest value.
      double best = lowestValue(x.elemType());
      int64_t bestTap = w.offsets.empty() ? -1 : 0;
      bool haveNumber = false;
      for (size_t t = 0; t < w.offsets.size(); ++t) {
        double v = x.getDouble(p * inPlane + w.offsets[t]);
        if (t == 0)
          best = v;
        if (!std::isnan(v) && (!haveNumber || v > best)) {
          best = v;
          bestTap = int64_t(t);
          haveNumber = true;
        }
      }
      int64_t out = p * outPlane + outOffset;
      y.setDouble(out, best);
      if (indices)
        indices->setInt(out, bestTap < 0 ? -1
                                         : p * inPlane + (columnMajor ? w.colMajor[size_t(bestTap)]
                                                                      : w.offsets[size_t(bestTap)]));
    });
  }
  return llvm::Error::success();
}

llvm::Error evalAveragePool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  auto g = windowGeometryOf(ctx);
  if (!g)
    return g.takeError();
  Tensor &y = ctx.out(0);
  bool includePad = ctx.node.getInt(ir::AttrName::count_include_pad) == 1;
  llvm::ArrayRef<int64_t> inSpatial = llvm::ArrayRef(x.dims()).drop_front(2);
  llvm::ArrayRef<int64_t> outSpatial = llvm::ArrayRef(y.dims()).drop_front(2);
  int64_t inPlane = planeSize(x.dims()), outPlane = planeSize(y.dims());
  int64_t planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p) {
    forEachWindow(*g, inSpatial, outSpatial, [&](const Window &w, int64_t outOffset) {
      double sum = 0;
      for (int64_t offset : w.offsets)
        sum += x.getDouble(p * inPlane + offset);
      // count_include_pad counts taps on explicit padding, never the ceil_mode
      // overhang past the end padding (as PyTorch and ONNX Runtime).
      int64_t count = includePad ? w.tapsInPaddedInput : int64_t(w.offsets.size());
      y.setDouble(p * outPlane + outOffset, count ? sum / double(count) : NAN);
    });
  }
  return llvm::Error::success();
}

llvm::Error evalGlobalAveragePool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  int64_t plane = planeSize(x.dims());
  int64_t planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p) {
    double sum = 0;
    for (int64_t i = 0; i < plane; ++i)
      sum += x.getDouble(p * plane + i);
    ctx.out().setDouble(p, plane ? sum / double(plane) : NAN);
  }
  return llvm::Error::success();
}

llvm::Error evalGlobalMaxPool(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  int64_t plane = planeSize(x.dims());
  int64_t planes = x.dims()[0] * x.dims()[1];
  for (int64_t p = 0; p < planes; ++p) {
    // NaN propagates, as numpy's max (the ONNX reference) does.
    double best = lowestValue(x.elemType());
    for (int64_t i = 0; i < plane; ++i) {
      double v = x.getDouble(p * plane + i);
      if (std::isnan(v) || v > best)
        best = v;
      if (std::isnan(best))
        break;
    }
    ctx.out().setDouble(p, best);
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
