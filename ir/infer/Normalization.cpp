// Shape and type inference for Softmax, BatchNormalization and
// LayerNormalization (inference form; newest-opset semantics).
#include "ir/infer/InferRules.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

/// Error unless operand `i` has a floating-point element type.
llvm::Error requireFloat(const InferContext &ctx, size_t i, llvm::StringRef what) {
  if (isFloatType(ctx.type(i).elem))
    return llvm::Error::success();
  return ctx.error(llvm::formatv("{0} has element type {1}, expected a float type",
                                 what, elemTypeName(ctx.type(i).elem)));
}

/// The result type of an op whose output has the input's type minus any
/// quantization (the op computes in floats).
Type plainType(const Type &t) { return Type(t.elem, t.shape); }

/// The element type LayerNormalization's stash_type (an ONNX TensorProto
/// data type code) names.
std::optional<ElemType> stashElemType(int64_t code) {
  switch (code) {
  case 1: return ElemType::F32;
  case 10: return ElemType::F16;
  case 11: return ElemType::F64;
  case 16: return ElemType::BF16;
  default: return std::nullopt;
  }
}

} // namespace

llvm::Expected<std::vector<Type>> inferSoftmax(const InferContext &ctx) {
  if (llvm::Error e = requireFloat(ctx, 0, "input"))
    return e;
  const Shape &shape = ctx.shape(0);
  if (shape.isRanked()) {
    auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), int64_t(shape.rank()));
    if (!axis)
      return axis.takeError();
  }
  return std::vector<Type>{plainType(ctx.type(0))};
}

llvm::Expected<std::vector<Type>> inferBatchNormalization(const InferContext &ctx) {
  if (ctx.node.getInt(AttrName::training_mode) != 0)
    return ctx.error("training_mode=1 is not supported (inference only)");
  static const char *const kNames[] = {"X", "scale", "B", "mean", "var"};
  for (size_t i = 0; i < 5; ++i)
    if (llvm::Error e = requireFloat(ctx, i, kNames[i]))
      return e;
  const Shape &x = ctx.shape(0);
  if (!x.isRanked())
    return std::vector<Type>{plainType(ctx.type(0))};
  if (x.rank() < 2)
    return ctx.error(llvm::formatv("input X has rank {0}, expected at least 2 (N x C x ...)",
                                   x.rank()));
  const Dim &channels = x[1];
  for (size_t i = 1; i < 5; ++i) {
    const Shape &p = ctx.shape(i);
    if (!p.isRanked())
      continue;
    if (p.rank() != 1)
      return ctx.error(llvm::formatv("{0} has shape {1}, expected 1-D of the {2} channels",
                                     kNames[i], p.str(), channels.str()));
    if (p[0].isStatic() && channels.isStatic() && p[0].value() != channels.value())
      return ctx.error(llvm::formatv("{0} has {1} elements, X has {2} channels", kNames[i],
                                     p[0].value(), channels.value()));
  }
  return std::vector<Type>{plainType(ctx.type(0))};
}

llvm::Expected<std::vector<Type>> inferLayerNormalization(const InferContext &ctx) {
  if (llvm::Error e = requireFloat(ctx, 0, "input X"))
    return e;
  ElemType elem = ctx.type(0).elem;
  int64_t stashCode = ctx.node.getInt(AttrName::stash_type);
  std::optional<ElemType> stash = stashElemType(stashCode);
  if (!stash)
    return ctx.error(llvm::formatv("stash_type {0} is not a float type code", stashCode));
  static const char *const kNames[] = {"X", "scale", "B"};
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has(i))
      continue;
    if (ctx.type(i).elem != elem)
      return ctx.error(llvm::formatv("{0} has element type {1}, X has {2}", kNames[i],
                                     elemTypeName(ctx.type(i).elem), elemTypeName(elem)));
  }

  size_t numResults = std::max<size_t>(1, ctx.node.numResults());
  const Shape &x = ctx.shape(0);
  if (!x.isRanked()) {
    std::vector<Type> types{Type(elem, Shape::unranked())};
    for (size_t i = 1; i < numResults; ++i)
      types.emplace_back(*stash, Shape::unranked());
    return types;
  }
  int64_t rank = int64_t(x.rank());
  if (rank == 0)
    return ctx.error("input X is a scalar, expected rank >= 1");
  auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), rank);
  if (!axis)
    return axis.takeError();

  // Scale and bias broadcast unidirectionally to the normalized dims [axis, rank).
  size_t normRank = size_t(rank - *axis);
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has(i) || !ctx.shape(i).isRanked())
      continue;
    const Shape &p = ctx.shape(i);
    auto mismatch = [&] {
      std::vector<Dim> norm(x.dims().begin() + *axis, x.dims().end());
      return ctx.error(llvm::formatv("{0} has shape {1}, which does not broadcast to the "
                                     "normalized shape {2} (axis {3})",
                                     kNames[i], p.str(), Shape(norm).str(), *axis));
    };
    if (p.rank() > normRank)
      return mismatch();
    for (size_t d = 0; d < p.rank(); ++d) {
      const Dim &pd = p[d];
      const Dim &xd = x[size_t(rank) - p.rank() + d];
      if (pd.isStatic() && pd.value() != 1 && xd.isStatic() && pd.value() != xd.value())
        return mismatch();
    }
  }

  std::vector<Dim> statDims = x.dims();
  for (int64_t d = *axis; d < rank; ++d)
    statDims[size_t(d)] = Dim(1);
  std::vector<Type> types{plainType(ctx.type(0))};
  for (size_t i = 1; i < numResults; ++i)
    types.emplace_back(*stash, Shape(statDims));
  return types;
}

} // namespace qc::ir::infer
