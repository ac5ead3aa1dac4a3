// Shape and type inference for the pooling ops: MaxPool, AveragePool and
// their global forms, over any number of spatial dims (N x C x D1 x ... x Dn).
#include "ir/infer/InferRules.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

bool isMaxPoolElem(ElemType t) {
  return isFloatType(t) || t == ElemType::I8 || t == ElemType::U8;
}

llvm::Error checkElem(const InferContext &ctx, bool allowInt8) {
  ElemType t = ctx.type(0).elem;
  if (allowInt8 ? isMaxPoolElem(t) : isFloatType(t))
    return llvm::Error::success();
  return ctx.error(llvm::formatv("input has element type {0}, expected {1}",
                                 elemTypeName(t),
                                 allowInt8 ? "a float type, i8 or u8" : "a float type"));
}

/// The input type without per-axis quantization: max-style pools pick input
/// elements, so a per-tensor quantized input keeps its parameters.
Type pooledType(const Type &in, Shape shape, bool keepQuant) {
  Type t(in.elem, std::move(shape));
  if (keepQuant && in.quant && in.quant->isPerTensor())
    t.quant = in.quant;
  return t;
}

llvm::Expected<Shape> windowedShape(const InferContext &ctx) {
  const Shape &x = ctx.shape(0);
  if (!x.isRanked())
    return Shape::unranked();
  if (x.rank() < 3)
    return ctx.error(llvm::formatv("input has shape {0}, expected N x C x D1 x ... "
                                   "(rank >= 3)",
                                   x.str()));
  size_t spatial = x.rank() - 2;
  llvm::ArrayRef<Dim> inSpatial(x.dims().data() + 2, spatial);
  auto g = windowGeometry(ctx, spatial, inSpatial, std::nullopt);
  if (!g)
    return g.takeError();
  int64_t ceilMode = ctx.node.getInt(AttrName::ceil_mode);
  if (ceilMode != 0 && ceilMode != 1)
    return ctx.error(llvm::formatv("ceil_mode is {0}, expected 0 or 1", ceilMode));
  // auto_pad fixes the output extents (ceil(in / stride) or the VALID
  // extent); ceil_mode only applies to explicit pads.
  bool useCeil = ceilMode && ctx.node.getString(AttrName::auto_pad) == "NOTSET";

  std::vector<Dim> dims{x[0], x[1]};
  for (size_t i = 0; i < spatial; ++i) {
    // Bounds that keep the window arithmetic below from overflowing.
    constexpr int64_t kLimit = int64_t(1) << 31;
    if (g->kernel[i] > kLimit || g->strides[i] > kLimit || g->dilations[i] > kLimit ||
        g->pads[i] > kLimit || g->pads[i + spatial] > kLimit)
      return ctx.error(llvm::formatv("kernel_shape, strides, dilations or pads of spatial "
                                     "dim {0} exceed 2^31",
                                     i));
    int64_t extent = g->dilations[i] * (g->kernel[i] - 1) + 1;
    int64_t padBegin = g->pads[i], padEnd = g->pads[i + spatial];
    if (padBegin >= extent || padEnd >= extent)
      return ctx.error(llvm::formatv("pads ({0}, {1}) on spatial dim {2} are not smaller "
                                     "than the window extent {3}",
                                     padBegin, padEnd, i, extent));
    Dim out = windowOutputDim(inSpatial[i], g->kernel[i], g->strides[i], g->dilations[i],
                              padBegin, padEnd, useCeil);
    if (out.isStatic() && out.value() <= 0)
      return ctx.error(llvm::formatv("the window (extent {0}) does not fit spatial dim {1} "
                                     "of extent {2} with pads ({3}, {4})",
                                     extent, i, inSpatial[i].str(), padBegin, padEnd));
    dims.push_back(out);
  }
  return Shape(std::move(dims));
}

llvm::Expected<Shape> globalShape(const InferContext &ctx) {
  const Shape &x = ctx.shape(0);
  if (!x.isRanked())
    return Shape::unranked();
  if (x.rank() < 2)
    return ctx.error(llvm::formatv("input has shape {0}, expected N x C x D1 x ... "
                                   "(rank >= 2)",
                                   x.str()));
  std::vector<Dim> dims = x.dims();
  for (size_t i = 2; i < dims.size(); ++i)
    dims[i] = Dim(1);
  return Shape(std::move(dims));
}

} // namespace

llvm::Expected<std::vector<Type>> inferMaxPool(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, /*allowInt8=*/true))
    return e;
  int64_t storageOrder = ctx.node.getInt(AttrName::storage_order);
  if (storageOrder != 0 && storageOrder != 1)
    return ctx.error(llvm::formatv("storage_order is {0}, expected 0 or 1", storageOrder));
  auto shape = windowedShape(ctx);
  if (!shape)
    return shape.takeError();
  std::vector<Type> types{pooledType(ctx.type(0), *shape, /*keepQuant=*/true)};
  if (ctx.node.numResults() > 1)
    types.emplace_back(ElemType::I64, *shape);
  return types;
}

llvm::Expected<std::vector<Type>> inferAveragePool(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, /*allowInt8=*/false))
    return e;
  int64_t includePad = ctx.node.getInt(AttrName::count_include_pad);
  if (includePad != 0 && includePad != 1)
    return ctx.error(llvm::formatv("count_include_pad is {0}, expected 0 or 1", includePad));
  auto shape = windowedShape(ctx);
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{pooledType(ctx.type(0), *shape, /*keepQuant=*/false)};
}

llvm::Expected<std::vector<Type>> inferGlobalAveragePool(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, /*allowInt8=*/false))
    return e;
  auto shape = globalShape(ctx);
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{pooledType(ctx.type(0), *shape, /*keepQuant=*/false)};
}

llvm::Expected<std::vector<Type>> inferGlobalMaxPool(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, /*allowInt8=*/true))
    return e;
  auto shape = globalShape(ctx);
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{pooledType(ctx.type(0), *shape, /*keepQuant=*/true)};
}

} // namespace qc::ir::infer
