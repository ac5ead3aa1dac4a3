// Shape and type inference for qc's integer ops (docs/quantized-ir.md):
// shapes come from the corresponding ONNX rules, quantization from the types.
#include "ir/infer/LinearShapes.h"

#include <cmath>

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

/// The quantization of operand i. The interpreter infers from run-time
/// tensors, whose types carry no quantization: fall back to the node's own
/// operand value, which is where the parameters live.
const std::optional<QuantParams> &operandQuant(const InferContext &ctx, size_t i) {
  if (ctx.type(i).quant || !ctx.node.operand(i))
    return ctx.type(i).quant;
  return ctx.node.operand(i)->type().quant;
}

bool isActivationType(ElemType t) { return t == ElemType::U8 || t == ElemType::I8; }

/// Checks one (scale, zero point) pair against element type `t`.
llvm::Error checkParam(const InferContext &ctx, llvm::StringRef what, ElemType t, double scale,
                       int64_t zeroPoint) {
  if (!(scale > 0) || !std::isfinite(scale))
    return ctx.error(llvm::formatv("{0} scale {1} is not positive and finite", what, scale));
  if (zeroPoint < elemTypeMin(t) || zeroPoint > elemTypeMax(t))
    return ctx.error(llvm::formatv("{0} zero point {1} is out of the range of {2}", what, zeroPoint,
                                   elemTypeName(t)));
  return llvm::Error::success();
}

/// A per-tensor quantized u8/i8 tensor of type `t`.
llvm::Error checkActivation(const InferContext &ctx, llvm::StringRef what, const Type &t,
                            const std::optional<QuantParams> &q) {
  if (!isActivationType(t.elem))
    return ctx.error(
        llvm::formatv("{0} has element type {1}, expected u8 or i8", what, elemTypeName(t.elem)));
  if (!q)
    return ctx.error(
        llvm::formatv("{0} of type {1} has no quantization parameters", what, t.str()));
  if (!q->isPerTensor() || q->scales.size() != 1 || q->zeroPoints.size() != 1)
    return ctx.error(llvm::formatv("{0} must be quantized per tensor", what));
  return checkParam(ctx, what, t.elem, q->scales[0], q->zeroPoints[0]);
}

/// Operand i as an activation.
llvm::Error checkActivationOperand(const InferContext &ctx, size_t i, llvm::StringRef what) {
  return checkActivation(ctx, what, ctx.type(i), operandQuant(ctx, i));
}

/// Operand i as a quantized i8/u8 weight: per tensor, or per axis along
/// `axis` (of its normalized form) with one parameter per slice.
llvm::Error checkWeight(const InferContext &ctx, size_t i, llvm::StringRef what, int64_t axis) {
  const Type &t = ctx.type(i);
  const std::optional<QuantParams> &q = operandQuant(ctx, i);
  if (!isActivationType(t.elem))
    return ctx.error(
        llvm::formatv("{0} has element type {1}, expected i8 or u8", what, elemTypeName(t.elem)));
  if (!q)
    return ctx.error(
        llvm::formatv("{0} of type {1} has no quantization parameters", what, t.str()));
  if (q->blockSize != 0)
    return ctx.error(
        llvm::formatv("{0} is block-quantized, expected per tensor or per axis", what));
  if (q->scales.size() != q->zeroPoints.size() || q->scales.empty())
    return ctx.error(llvm::formatv("{0} has {1} scales and {2} zero points", what, q->scales.size(),
                                   q->zeroPoints.size()));
  if (q->isPerTensor() && q->scales.size() != 1)
    return ctx.error(llvm::formatv("{0} is per tensor with {1} scales", what, q->scales.size()));
  if (!q->isPerTensor() && t.shape.isRanked()) {
    int64_t rank = int64_t(t.shape.rank());
    int64_t qAxis = *q->axis < 0 ? *q->axis + rank : *q->axis;
    if (qAxis != axis)
      return ctx.error(llvm::formatv("{0} is quantized along axis {1}, expected axis {2}", what,
                                     *q->axis, axis));
    const Dim &extent = t.shape[size_t(axis)];
    if (extent.isStatic() && int64_t(q->scales.size()) != extent.value())
      return ctx.error(llvm::formatv("{0} has {1} scales for {2} channels along axis {3}", what,
                                     q->scales.size(), extent.value(), axis));
  }
  for (size_t c = 0; c < q->scales.size(); ++c)
    if (llvm::Error e = checkParam(ctx, what, t.elem, q->scales[c], q->zeroPoints[c]))
      return e;
  return llvm::Error::success();
}

/// Operand i as an optional i32 bias of `channels` elements.
llvm::Error checkBias(const InferContext &ctx, size_t i, const Dim &channels) {
  if (!ctx.has(i))
    return llvm::Error::success();
  const Type &b = ctx.type(i);
  if (b.elem != ElemType::I32)
    return ctx.error(
        llvm::formatv("bias has element type {0}, expected i32", elemTypeName(b.elem)));
  if (!b.shape.isRanked())
    return llvm::Error::success();
  if (b.shape.rank() != 1)
    return ctx.error(
        llvm::formatv("bias has shape {0}, expected [{1}]", b.shape.str(), channels.str()));
  if (b.shape[0].isStatic() && channels.isStatic() && b.shape[0].value() != channels.value())
    return ctx.error(llvm::formatv("bias has {0} elements, expected {1} output channels",
                                   b.shape[0].value(), channels.value()));
  return llvm::Error::success();
}

/// The result type with `shape`: the element type and quantization the
/// node's result declares (a quantized u8/i8 tensor, or f32 when
/// `allowFloat`), checking the act_min/act_max clamp against it.
llvm::Expected<Type> resultType(const InferContext &ctx, Shape shape, bool allowFloat) {
  Type declared = ctx.node.numResults() ? ctx.node.result(0)->type() : Type();
  std::optional<int64_t> actMin = ctx.node.findInt(AttrName::act_min);
  std::optional<int64_t> actMax = ctx.node.findInt(AttrName::act_max);
  if (isFloatType(declared.elem)) {
    if (!allowFloat)
      return ctx.error(
          llvm::formatv("result type {0} is not a quantized integer type", declared.str()));
    if (declared.elem != ElemType::F32)
      return ctx.error(llvm::formatv("result has element type {0}, expected u8, i8 or f32",
                                     elemTypeName(declared.elem)));
    // A float result is float(acc) * inScale: there is nothing to clamp.
    if (actMin || actMax)
      return ctx.error("act_min/act_max need a quantized result type, the result is f32");
    return Type(ElemType::F32, std::move(shape));
  }
  if (llvm::Error e = checkActivation(ctx, "result", declared, declared.quant))
    return e;
  int64_t lo = elemTypeMin(declared.elem), hi = elemTypeMax(declared.elem);
  if ((actMin && (*actMin < lo || *actMin > hi)) || (actMax && (*actMax < lo || *actMax > hi)) ||
      (actMin && actMax && *actMin > *actMax))
    return ctx.error(llvm::formatv("clamp [{0}, {1}] is not a range inside {2}'s [{3}, {4}]",
                                   actMin.value_or(lo), actMax.value_or(hi),
                                   elemTypeName(declared.elem), lo, hi));
  Type t(declared.elem, std::move(shape));
  t.quant = declared.quant;
  return t;
}

llvm::Expected<std::vector<Type>> single(llvm::Expected<Type> t) {
  if (!t)
    return t.takeError();
  return std::vector<Type>{std::move(*t)};
}

/// Runs the ONNX float rule `rule` on this node with operand 0 seen as f32
/// (the shape logic is the same; the element types are checked here).
llvm::Expected<Shape>
shapeViaFloatRule(const InferContext &ctx,
                  llvm::Expected<std::vector<Type>> (*rule)(const InferContext &)) {
  Type asFloat(ElemType::F32, ctx.shape(0));
  InferContext floatCtx = ctx;
  floatCtx.operandTypes[0] = &asFloat;
  auto types = rule(floatCtx);
  if (!types)
    return types.takeError();
  return (*types)[0].shape;
}

/// Input 0 of QSoftmax / QLayerNorm: quantized u8/i8, or f32.
llvm::Error checkQuantizedOrFloat(const InferContext &ctx, size_t i, llvm::StringRef what) {
  if (ctx.type(i).elem == ElemType::F32 && !operandQuant(ctx, i))
    return llvm::Error::success();
  return checkActivationOperand(ctx, i, what);
}

} // namespace

llvm::Expected<std::vector<Type>> inferQConv(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  if (llvm::Error e = checkWeight(ctx, 1, "weight", 0))
    return e;
  const Shape &w = ctx.shape(1);
  if (llvm::Error e = checkBias(ctx, 2, w.isRanked() && w.rank() ? w[0] : Dim::unknown()))
    return e;
  auto shape = convOutputShape(ctx, ctx.shape(0), w);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQConvTranspose(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  if (llvm::Error e = checkWeight(ctx, 1, "weight", 1))
    return e;
  auto shape = convTransposeOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  Dim channels = shape->isRanked() && shape->rank() > 1 ? (*shape)[1] : Dim::unknown();
  if (llvm::Error e = checkBias(ctx, 2, channels))
    return e;
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQMatMul(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "a"))
    return e;
  const Shape &b = ctx.shape(1);
  // B per tensor (activation or constant) or per column: axis = last dim.
  int64_t lastAxis = b.isRanked() ? int64_t(b.rank()) - 1 : -1;
  if (b.isRanked() && b.rank() < 2 && operandQuant(ctx, 1) && !operandQuant(ctx, 1)->isPerTensor())
    return ctx.error(llvm::formatv("b of shape {0} is per-axis quantized; only a 2-D or "
                                   "higher b can be quantized per column",
                                   b.str()));
  if (llvm::Error e = checkWeight(ctx, 1, "b", lastAxis))
    return e;
  Dim columns = !b.isRanked() ? Dim::unknown() : b.rank() >= 2 ? b[b.rank() - 1] : Dim(1);
  if (llvm::Error e = checkBias(ctx, 2, columns))
    return e;
  auto shape = matMulOutputShape(ctx, ctx.shape(0), b);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQAdd(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "a"))
    return e;
  if (llvm::Error e = checkActivationOperand(ctx, 1, "b"))
    return e;
  auto shape = broadcastShapes(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQMul(const InferContext &ctx) { return inferQAdd(ctx); }

llvm::Expected<std::vector<Type>> inferRequantize(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  // A float result would be a DequantizeLinear.
  return single(resultType(ctx, ctx.shape(0), /*allowFloat=*/false));
}

llvm::Expected<std::vector<Type>> inferQLut(const InferContext &ctx) {
  ElemType x = ctx.type(0).elem;
  if (!isActivationType(x))
    return ctx.error(
        llvm::formatv("input has element type {0}, expected u8 or i8", elemTypeName(x)));
  const Type &table = ctx.type(1);
  int64_t entries = int64_t(1) << elemTypeBits(x);
  if (table.shape.isRanked() &&
      (table.shape.rank() != 1 || (table.shape[0].isStatic() && table.shape[0].value() != entries)))
    return ctx.error(llvm::formatv("table has shape {0}, expected [{1}] (2^{2} entries for {3})",
                                   table.shape.str(), entries, elemTypeBits(x), elemTypeName(x)));
  Type declared = ctx.node.numResults() ? ctx.node.result(0)->type() : Type();
  if (declared.elem != table.elem)
    return ctx.error(llvm::formatv("table has element type {0}, the result {1}",
                                   elemTypeName(table.elem), elemTypeName(declared.elem)));
  if (isFloatType(table.elem))
    return single(resultType(ctx, ctx.shape(0), /*allowFloat=*/true));
  // An integer table holds quantized values of the result type.
  return single(resultType(ctx, ctx.shape(0), /*allowFloat=*/false));
}

llvm::Expected<std::vector<Type>> inferQAveragePool(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  auto shape = shapeViaFloatRule(ctx, inferAveragePool);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQGlobalAveragePool(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  auto shape = shapeViaFloatRule(ctx, inferGlobalAveragePool);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQReduceMean(const InferContext &ctx) {
  if (llvm::Error e = checkActivationOperand(ctx, 0, "input"))
    return e;
  auto shape = shapeViaFloatRule(ctx, inferReduceMean);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQSoftmax(const InferContext &ctx) {
  if (llvm::Error e = checkQuantizedOrFloat(ctx, 0, "input"))
    return e;
  auto shape = shapeViaFloatRule(ctx, inferSoftmax);
  if (!shape)
    return shape.takeError();
  return single(resultType(ctx, std::move(*shape), /*allowFloat=*/true));
}

llvm::Expected<std::vector<Type>> inferQLayerNorm(const InferContext &ctx) {
  static const char *const kNames[] = {"input", "scale", "bias"};
  for (size_t i = 0; i < 3; ++i)
    if (ctx.has(i))
      if (llvm::Error e = checkQuantizedOrFloat(ctx, i, kNames[i]))
        return e;
  const Shape &x = ctx.shape(0);
  if (!x.isRanked())
    return single(resultType(ctx, x, /*allowFloat=*/true));
  int64_t rank = int64_t(x.rank());
  if (rank == 0)
    return ctx.error("input is a scalar, expected rank >= 1");
  auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), rank);
  if (!axis)
    return axis.takeError();
  // Scale and bias broadcast unidirectionally to the normalized dims [axis, rank).
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has(i) || !ctx.shape(i).isRanked())
      continue;
    const Shape &p = ctx.shape(i);
    bool fits = p.rank() <= size_t(rank - *axis);
    for (size_t d = 0; fits && d < p.rank(); ++d) {
      const Dim &pd = p[d], &xd = x[size_t(rank) - p.rank() + d];
      fits = !(pd.isStatic() && pd.value() != 1 && xd.isStatic() && pd.value() != xd.value());
    }
    if (!fits)
      return ctx.error(llvm::formatv("{0} has shape {1}, which does not broadcast to the "
                                     "normalized dims of {2} (axis {3})",
                                     kNames[i], p.str(), x.str(), *axis));
  }
  return single(resultType(ctx, x, /*allowFloat=*/true));
}

} // namespace qc::ir::infer
