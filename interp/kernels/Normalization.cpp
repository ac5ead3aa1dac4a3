// Reference kernels for Softmax, BatchNormalization (inference) and
// LayerNormalization. All arithmetic is done in double and rounded once to
// the output type.
#include "interp/kernels/Kernels.h"

#include <cmath>

namespace qc::interp::kernels {

using ir::Tensor;

namespace {

/// Splits dims at `axis` into (outer, axis extent, inner) element counts.
struct AxisSplit {
  int64_t outer = 1, extent = 1, inner = 1;
};

AxisSplit splitAt(llvm::ArrayRef<int64_t> dims, size_t axis) {
  AxisSplit s;
  for (size_t d = 0; d < dims.size(); ++d) {
    if (d < axis)
      s.outer *= dims[d];
    else if (d == axis)
      s.extent = dims[d];
    else
      s.inner *= dims[d];
  }
  return s;
}

} // namespace

llvm::Error evalSoftmax(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  Tensor &y = ctx.out();
  int64_t rank = int64_t(x.rank());
  int64_t axis = ctx.node.getInt(ir::AttrName::axis);
  if (axis < 0)
    axis += rank;
  AxisSplit s = splitAt(x.dims(), size_t(std::max<int64_t>(axis, 0)));
  for (int64_t o = 0; o < s.outer; ++o) {
    for (int64_t i = 0; i < s.inner; ++i) {
      int64_t base = o * s.extent * s.inner + i;
      // Subtract the max so exp never overflows.
      double maxValue = -INFINITY;
      for (int64_t k = 0; k < s.extent; ++k)
        maxValue = std::max(maxValue, x.getDouble(base + k * s.inner));
      double sum = 0;
      for (int64_t k = 0; k < s.extent; ++k)
        sum += std::exp(x.getDouble(base + k * s.inner) - maxValue);
      for (int64_t k = 0; k < s.extent; ++k)
        y.setDouble(base + k * s.inner,
                    std::exp(x.getDouble(base + k * s.inner) - maxValue) / sum);
    }
  }
  return llvm::Error::success();
}

llvm::Error evalBatchNormalization(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  const Tensor &scale = ctx.in(1), &bias = ctx.in(2), &mean = ctx.in(3), &var = ctx.in(4);
  Tensor &y = ctx.out();
  AxisSplit s = splitAt(x.dims(), 1);
  // Shape inference checked the parameters against a static channel count.
  double epsilon = ctx.node.getFloat(ir::AttrName::epsilon);
  for (int64_t c = 0; c < s.extent; ++c) {
    double invStd = 1.0 / std::sqrt(var.getDouble(c) + epsilon);
    double m = mean.getDouble(c), g = scale.getDouble(c), b = bias.getDouble(c);
    for (int64_t n = 0; n < s.outer; ++n) {
      int64_t base = (n * s.extent + c) * s.inner;
      for (int64_t i = 0; i < s.inner; ++i)
        y.setDouble(base + i, (x.getDouble(base + i) - m) * invStd * g + b);
    }
  }
  return llvm::Error::success();
}

llvm::Error evalLayerNormalization(EvalContext &ctx) {
  const Tensor &x = ctx.in(0);
  int64_t rank = int64_t(x.rank());
  int64_t axis = ctx.node.getInt(ir::AttrName::axis);
  if (axis < 0)
    axis += rank;
  int64_t rows = 1, cols = 1;
  for (int64_t d = 0; d < rank; ++d)
    (d < axis ? rows : cols) *= x.dims()[size_t(d)];

  // Scale and bias broadcast to the normalized dims; index them per column.
  std::vector<int64_t> normDims(x.dims().begin() + axis, x.dims().end());
  std::vector<int64_t> scaleMap = broadcastIndexMap(normDims, ctx.in(1).dims());
  std::vector<int64_t> biasMap;
  if (ctx.has(2))
    biasMap = broadcastIndexMap(normDims, ctx.in(2).dims());
  double epsilon = ctx.node.getFloat(ir::AttrName::epsilon);

  for (int64_t r = 0; r < rows; ++r) {
    int64_t base = r * cols;
    double sum = 0;
    for (int64_t c = 0; c < cols; ++c)
      sum += x.getDouble(base + c);
    double mean = sum / double(cols);
    double squares = 0;
    for (int64_t c = 0; c < cols; ++c) {
      double diff = x.getDouble(base + c) - mean;
      squares += diff * diff;
    }
    double invStd = 1.0 / std::sqrt(squares / double(cols) + epsilon);
    for (int64_t c = 0; c < cols; ++c) {
      double v = (x.getDouble(base + c) - mean) * invStd *
                 ctx.in(1).getDouble(scaleMap[size_t(c)]);
      if (ctx.has(2))
        v += ctx.in(2).getDouble(biasMap[size_t(c)]);
      ctx.out(0).setDouble(base + c, v);
    }
    if (ctx.outputs.size() > 1)
      ctx.out(1).setDouble(r, mean);
    if (ctx.outputs.size() > 2)
      ctx.out(2).setDouble(r, invStd);
  }
  return llvm::Error::success();
}

} // namespace qc::interp::kernels
