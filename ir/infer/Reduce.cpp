// Shape and type inference for ReduceMean/Sum/Max/Min (opset 18 form: axes as
// an optional second input, keepdims, noop_with_empty_axes).
#include "ir/infer/InferRules.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

/// The reduction axes: nullopt when the axes input is not a known constant;
/// empty when absent or empty (reduce all, or identity with
/// noop_with_empty_axes). Axes are normalized and checked for duplicates.
llvm::Expected<std::optional<std::vector<int64_t>>> reduceAxes(const InferContext &ctx,
                                                               int64_t rank) {
  if (!ctx.has(1))
    return std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
  const Type &axesType = ctx.type(1);
  if (!isIntegerType(axesType.elem))
    return ctx.error(llvm::formatv("axes has element type {0}, expected i64",
                                   elemTypeName(axesType.elem)));
  if (axesType.shape.isRanked() && axesType.shape.rank() != 1)
    return ctx.error(llvm::formatv("axes has shape {0}, expected 1-D", axesType.shape.str()));
  const Tensor *value = ctx.value(1);
  if (!value) {
    if (axesType.shape.isStatic() && axesType.shape.numElements() == 0)
      return std::optional<std::vector<int64_t>>(std::vector<int64_t>{});
    return std::optional<std::vector<int64_t>>();
  }
  std::vector<int64_t> axes = toInt64s(*value);
  std::vector<bool> seen(size_t(std::max<int64_t>(rank, 1)), false);
  for (int64_t &a : axes) {
    int64_t original = a;
    if (a < -rank || a >= rank)
      return ctx.error(llvm::formatv("axis {0} is out of range for rank {1}", a, rank));
    if (a < 0)
      a += rank;
    if (seen[size_t(a)])
      return ctx.error(llvm::formatv("axis {0} is repeated in axes", original));
    seen[size_t(a)] = true;
  }
  return std::optional<std::vector<int64_t>>(std::move(axes));
}

llvm::Expected<std::vector<Type>> inferReduce(const InferContext &ctx, bool allowBool,
                                              bool keepQuant) {
  const Type &in = ctx.type(0);
  if (!isFloatType(in.elem) && !isIntegerType(in.elem) &&
      !(allowBool && in.elem == ElemType::Bool))
    return ctx.error(llvm::formatv("input has element type {0}, expected a numeric type",
                                   elemTypeName(in.elem)));
  int64_t keepDims = ctx.node.getInt(AttrName::keepdims);
  int64_t noop = ctx.node.getInt(AttrName::noop_with_empty_axes);
  if ((keepDims != 0 && keepDims != 1) || (noop != 0 && noop != 1))
    return ctx.error(llvm::formatv("keepdims ({0}) and noop_with_empty_axes ({1}) must be "
                                   "0 or 1",
                                   keepDims, noop));
  Type out(in.elem, Shape::unranked());
  if (keepQuant && in.quant && in.quant->isPerTensor())
    out.quant = in.quant;

  if (!in.shape.isRanked()) {
    if (ctx.has(1) && ctx.type(1).shape.isRanked() && ctx.type(1).shape.rank() != 1)
      return ctx.error(llvm::formatv("axes has shape {0}, expected 1-D",
                                     ctx.type(1).shape.str()));
    return std::vector<Type>{out};
  }
  int64_t rank = int64_t(in.shape.rank());
  auto axes = reduceAxes(ctx, rank);
  if (!axes)
    return axes.takeError();
  if (!*axes) {
    // Unknown axes: with keepdims the rank survives, the extents do not.
    if (keepDims)
      out.shape = Shape(std::vector<Dim>(size_t(rank), Dim::unknown()));
    return std::vector<Type>{out};
  }
  if ((*axes)->empty() && noop)
    return std::vector<Type>{in}; // identity
  std::vector<bool> reduced(size_t(rank), (*axes)->empty());
  for (int64_t a : **axes)
    reduced[size_t(a)] = true;
  std::vector<Dim> dims;
  for (int64_t d = 0; d < rank; ++d) {
    if (!reduced[size_t(d)])
      dims.push_back(in.shape[size_t(d)]);
    else if (keepDims)
      dims.push_back(Dim(1));
  }
  out.shape = Shape(std::move(dims));
  return std::vector<Type>{out};
}

} // namespace

llvm::Expected<std::vector<Type>> inferReduceMean(const InferContext &ctx) {
  return inferReduce(ctx, /*allowBool=*/false, /*keepQuant=*/false);
}

llvm::Expected<std::vector<Type>> inferReduceSum(const InferContext &ctx) {
  return inferReduce(ctx, /*allowBool=*/false, /*keepQuant=*/false);
}

llvm::Expected<std::vector<Type>> inferReduceMax(const InferContext &ctx) {
  return inferReduce(ctx, /*allowBool=*/true, /*keepQuant=*/true);
}

llvm::Expected<std::vector<Type>> inferReduceMin(const InferContext &ctx) {
  return inferReduce(ctx, /*allowBool=*/true, /*keepQuant=*/true);
}

} // namespace qc::ir::infer
