// Shape and type inference for the Quant op family (QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, QLinear*, *Integer) and the
// quantization-parameter layout rules shared with the kernels.
#include <cmath>

#include "ir/Printer.h"
#include "ir/infer/LinearShapes.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

/// Integer types QuantizeLinear can produce (float8 is not in qc's types).
bool isQuantStorageType(ElemType t) {
  switch (t) {
  case ElemType::U8:
  case ElemType::I8:
  case ElemType::U16:
  case ElemType::I16:
  case ElemType::U4:
  case ElemType::I4:
    return true;
  default:
    return false;
  }
}

bool isByteType(ElemType t) { return t == ElemType::U8 || t == ElemType::I8; }

bool isQdqFloatType(ElemType t) {
  return t == ElemType::F32 || t == ElemType::F16 || t == ElemType::BF16;
}

/// Ranked with every dim a static 1 (a scalar or a 1-element tensor).
bool isSingleElement(const Shape &s) {
  if (!s.isRanked())
    return false;
  for (const Dim &d : s.dims())
    if (!(d.isStatic() && d.value() == 1))
      return false;
  return true;
}

llvm::Error checkElem(const InferContext &ctx, size_t i, llvm::StringRef name, ElemType expected) {
  if (ctx.type(i).elem != expected)
    return ctx.error(llvm::formatv("{0} has element type {1}, expected {2}", name,
                                   elemTypeName(ctx.type(i).elem), elemTypeName(expected)));
  return llvm::Error::success();
}

llvm::Error checkByteType(const InferContext &ctx, size_t i, llvm::StringRef name) {
  if (!isByteType(ctx.type(i).elem))
    return ctx.error(llvm::formatv("{0} has element type {1}, expected u8 or i8", name,
                                   elemTypeName(ctx.type(i).elem)));
  return llvm::Error::success();
}

/// A per-tensor parameter: a scalar or a tensor of one element.
llvm::Error checkPerTensor(const InferContext &ctx, size_t i, llvm::StringRef name) {
  const Shape &s = ctx.shape(i);
  if (!s.isRanked())
    return llvm::Error::success();
  for (const Dim &d : s.dims())
    if (d.isStatic() && d.value() != 1)
      return ctx.error(
          llvm::formatv("{0} has shape [{1}]; expected a scalar (per-tensor)", name, s.str()));
  return llvm::Error::success();
}

/// A per-tensor or per-output-channel parameter: one element or [M].
llvm::Error checkPerChannel(const InferContext &ctx, size_t i, llvm::StringRef name,
                            const Dim &channels) {
  const Shape &s = ctx.shape(i);
  if (!s.isRanked() || isSingleElement(s))
    return llvm::Error::success();
  bool ok = s.rank() == 1 &&
            (!s[0].isStatic() || !channels.isStatic() || s[0].value() == channels.value());
  if (!ok)
    return ctx.error(llvm::formatv(
        "{0} has shape [{1}]; expected a scalar or {2} elements (one per output channel)", name,
        s.str(), channels.str()));
  return llvm::Error::success();
}

/// The output-channel count M of a conv weight shape.
Dim weightChannels(const Shape &w) { return w.isRanked() && w.rank() > 0 ? w[0] : Dim::unknown(); }

} // namespace

llvm::Expected<QuantLayout> quantLayout(const InferContext &ctx, const Shape &data,
                                        const Shape &scale) {
  QuantLayout layout;
  int64_t blockSize = ctx.node.getInt(AttrName::block_size);
  if (blockSize < 0)
    return ctx.error(llvm::formatv("block_size {0} is negative", blockSize));
  if (!scale.isRanked() || isSingleElement(scale))
    return layout; // per-tensor
  if (!data.isRanked())
    return layout; // checked when the data's rank is known
  if (data.rank() == 0)
    return ctx.error(llvm::formatv(
        "scale has shape [{0}] but the input is a scalar (needs a per-tensor scale)", scale.str()));
  auto axis = normalizeAxis(ctx, ctx.node.getInt(AttrName::axis), int64_t(data.rank()));
  if (!axis)
    return axis.takeError();
  layout.axis = *axis;
  const Dim &extent = data[size_t(*axis)];
  if (blockSize == 0) {
    layout.kind = QuantLayout::Kind::PerAxis;
    if (scale.rank() != 1)
      return ctx.error(llvm::formatv(
          "scale has shape [{0}]; per-axis quantization needs a 1-D scale of {1} elements "
          "(input dim {2}) or block_size > 0",
          scale.str(), extent.str(), *axis));
    if (scale[0].isStatic() && extent.isStatic() && scale[0].value() != extent.value())
      return ctx.error(
          llvm::formatv("scale has {0} elements but input dim {1} (axis) has extent {2}",
                        scale[0].value(), *axis, extent.value()));
    return layout;
  }
  layout.kind = QuantLayout::Kind::Blocked;
  layout.blockSize = blockSize;
  if (scale.rank() != data.rank())
    return ctx.error(llvm::formatv(
        "blocked quantization (block_size {0}) needs a scale of the input's rank {1}, "
        "got shape [{2}]",
        blockSize, data.rank(), scale.str()));
  for (size_t d = 0; d < data.rank(); ++d) {
    if (!scale[d].isStatic() || !data[d].isStatic())
      continue;
    int64_t expected =
        int64_t(d) == *axis ? (data[d].value() + blockSize - 1) / blockSize : data[d].value();
    if (scale[d].value() != expected)
      return ctx.error(
          llvm::formatv("blocked scale of shape [{0}] does not fit input [{1}] with block_size {2} "
                        "along axis {3}: dim {4} should be {5}",
                        scale.str(), data.str(), blockSize, *axis, d, expected));
  }
  return layout;
}

// Scales that are constants of the model must be positive and finite: a
// zero, negative, NaN or Inf scale is a broken model, reported here (at
// import and by the verifier) naming the tensor. Run-time scales (e.g. from
// DynamicQuantizeLinear, 0 for an all-zero input) are not checked.
llvm::Error checkScaleValues(const InferContext &ctx, size_t i, llvm::StringRef name) {
  const Value *operand = ctx.node.operand(i);
  const Tensor *scale = ctx.value(i);
  if (!operand || !operand->isConstant() || !scale)
    return llvm::Error::success();
  for (int64_t k = 0; k < scale->numElements(); ++k) {
    double v = scale->getDouble(k);
    if (!(v > 0) || !std::isfinite(v))
      return ctx.error(llvm::formatv("{0} '{1}' has {2} at element {3}: scales must be positive "
                                     "and finite",
                                     name, operand->name(), formatDoubleExact(v), k));
  }
  return llvm::Error::success();
}

llvm::Error checkZeroPoint(const InferContext &ctx, const Type &zeroPoint, ElemType expectedElem,
                           const Shape &scale, llvm::StringRef zeroPointName) {
  if (zeroPoint.elem != expectedElem)
    return ctx.error(llvm::formatv("{0} has element type {1}, expected {2}", zeroPointName,
                                   elemTypeName(zeroPoint.elem), elemTypeName(expectedElem)));
  const Shape &zs = zeroPoint.shape;
  if (!zs.isRanked() || !scale.isRanked())
    return llvm::Error::success();
  if (isSingleElement(zs) && isSingleElement(scale))
    return llvm::Error::success();
  bool same = zs.rank() == scale.rank();
  for (size_t i = 0; same && i < zs.rank(); ++i)
    same = !(zs[i].isStatic() && scale[i].isStatic() && zs[i].value() != scale[i].value());
  if (!same)
    return ctx.error(llvm::formatv("{0} has shape [{1}] but its scale has shape [{2}]",
                                   zeroPointName, zs.str(), scale.str()));
  return llvm::Error::success();
}

llvm::Expected<Shape> alignMatMulParam(const InferContext &ctx, const Shape &operand,
                                       const Shape &param, bool rowSide,
                                       llvm::StringRef paramName) {
  if (isSingleElement(param))
    return Shape();
  if (!param.isRanked() || !operand.isRanked())
    return param;
  auto fail = [&](llvm::StringRef why) {
    return ctx.error(llvm::formatv("{0} of shape [{1}] does not fit operand [{2}]: {3}", paramName,
                                   param.str(), operand.str(), why));
  };
  if (operand.rank() < 2)
    return fail("a 1-D operand takes only a per-tensor parameter");
  std::vector<Dim> dims = param.dims();
  if (rowSide && dims.size() == 1)
    dims.push_back(Dim(1)); // [M] -> [M, 1]
  if (dims.size() > operand.rank())
    return fail("the parameter has a higher rank than the operand");
  size_t offset = operand.rank() - dims.size();
  // The reduced (K) dim of the operand: last for A, second to last for B.
  size_t reduced = rowSide ? operand.rank() - 1 : operand.rank() - 2;
  for (size_t i = 0; i < dims.size(); ++i) {
    const Dim &p = dims[i], &o = operand[offset + i];
    if (offset + i == reduced && !(p.isStatic() && p.value() == 1) && !p.isUnknown())
      return fail(rowSide ? "per-row parameters must have extent 1 along K"
                          : "per-column parameters must have extent 1 along K");
    if (p.isStatic() && p.value() != 1 && o.isStatic() && p.value() != o.value())
      return fail("extents differ");
  }
  return Shape(std::move(dims));
}

llvm::Expected<std::vector<Type>> inferQuantizeLinear(const InferContext &ctx) {
  ElemType x = ctx.type(0).elem;
  if (!isQdqFloatType(x))
    return ctx.error(llvm::formatv(
        "input element type {0} is not supported (expected f32, f16 or bf16)", elemTypeName(x)));
  if (llvm::Error e = checkElem(ctx, 1, "scale", x))
    return e;
  if (llvm::Error e = checkScaleValues(ctx, 1, "scale"))
    return e;
  std::optional<ElemType> outputDtype = ctx.node.findElem(AttrName::output_dtype);
  ElemType y = outputDtype.value_or(ElemType::U8);
  if (ctx.has(2)) {
    y = ctx.type(2).elem;
    if (outputDtype && *outputDtype != y)
      return ctx.error(llvm::formatv("output_dtype {0} disagrees with the zero point type {1}",
                                     elemTypeName(*outputDtype), elemTypeName(y)));
  }
  if (!isQuantStorageType(y))
    return ctx.error(llvm::formatv(
        "output type {0} is not supported (expected u8, i8, u16, i16, u4 or i4)", elemTypeName(y)));
  auto layout = quantLayout(ctx, ctx.shape(0), ctx.shape(1));
  if (!layout)
    return layout.takeError();
  if (ctx.has(2))
    if (llvm::Error e = checkZeroPoint(ctx, ctx.type(2), y, ctx.shape(1), "zero point"))
      return e;
  return std::vector<Type>{Type(y, ctx.shape(0))};
}

llvm::Expected<std::vector<Type>> inferDequantizeLinear(const InferContext &ctx) {
  ElemType x = ctx.type(0).elem;
  if (!isQuantStorageType(x) && x != ElemType::I32)
    return ctx.error(llvm::formatv(
        "input element type {0} is not supported (expected u8, i8, u16, i16, u4, i4 or i32)",
        elemTypeName(x)));
  ElemType y = ctx.type(1).elem;
  if (!isQdqFloatType(y))
    return ctx.error(llvm::formatv(
        "scale element type {0} is not supported (expected f32, f16 or bf16)", elemTypeName(y)));
  if (llvm::Error e = checkScaleValues(ctx, 1, "scale"))
    return e;
  auto layout = quantLayout(ctx, ctx.shape(0), ctx.shape(1));
  if (!layout)
    return layout.takeError();
  if (ctx.has(2)) {
    if (llvm::Error e = checkZeroPoint(ctx, ctx.type(2), x, ctx.shape(1), "zero point"))
      return e;
    if (const Tensor *zp = ctx.value(2); zp && x == ElemType::I32)
      for (int64_t i = 0; i < zp->numElements(); ++i)
        if (zp->getInt(i) != 0)
          return ctx.error(
              llvm::formatv("int32 input needs a zero point of 0, got {0}", zp->getInt(i)));
  }
  return std::vector<Type>{Type(y, ctx.shape(0))};
}

llvm::Expected<std::vector<Type>> inferDynamicQuantizeLinear(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, 0, "input", ElemType::F32))
    return e;
  return std::vector<Type>{Type(ElemType::U8, ctx.shape(0)), Type(ElemType::F32, Shape()),
                           Type(ElemType::U8, Shape())};
}

llvm::Expected<std::vector<Type>> inferQLinearConv(const InferContext &ctx) {
  // x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B
  for (auto [i, name] : {std::pair<size_t, const char *>{0, "x"}, {3, "w"}, {7, "y zero point"}})
    if (llvm::Error e = checkByteType(ctx, i, name))
      return e;
  for (auto [i, name] :
       {std::pair<size_t, const char *>{1, "x scale"}, {4, "w scale"}, {6, "y scale"}})
    if (llvm::Error e = checkElem(ctx, i, name, ElemType::F32))
      return e;
    else if (llvm::Error e = checkScaleValues(ctx, i, name))
      return e;
  if (llvm::Error e = checkElem(ctx, 2, "x zero point", ctx.type(0).elem))
    return e;
  if (llvm::Error e = checkElem(ctx, 5, "w zero point", ctx.type(3).elem))
    return e;
  for (auto [i, name] : {std::pair<size_t, const char *>{1, "x scale"},
                         {2, "x zero point"},
                         {6, "y scale"},
                         {7, "y zero point"}})
    if (llvm::Error e = checkPerTensor(ctx, i, name))
      return e;
  Dim channels = weightChannels(ctx.shape(3));
  if (llvm::Error e = checkPerChannel(ctx, 4, "w scale", channels))
    return e;
  if (llvm::Error e = checkPerChannel(ctx, 5, "w zero point", channels))
    return e;
  if (ctx.has(8)) {
    if (llvm::Error e = checkElem(ctx, 8, "bias", ElemType::I32))
      return e;
    const Shape &b = ctx.shape(8);
    if (b.isRanked() && (b.rank() != 1 || (b[0].isStatic() && channels.isStatic() &&
                                           b[0].value() != channels.value())))
      return ctx.error(
          llvm::formatv("bias has shape [{0}], expected [{1}]", b.str(), channels.str()));
  }
  auto shape = convOutputShape(ctx, ctx.shape(0), ctx.shape(3));
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{Type(ctx.type(7).elem, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferQLinearMatMul(const InferContext &ctx) {
  // a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point
  for (auto [i, name] : {std::pair<size_t, const char *>{0, "a"}, {3, "b"}, {7, "y zero point"}})
    if (llvm::Error e = checkByteType(ctx, i, name))
      return e;
  for (auto [i, name] :
       {std::pair<size_t, const char *>{1, "a scale"}, {4, "b scale"}, {6, "y scale"}})
    if (llvm::Error e = checkElem(ctx, i, name, ElemType::F32))
      return e;
    else if (llvm::Error e = checkScaleValues(ctx, i, name))
      return e;
  if (llvm::Error e =
          checkZeroPoint(ctx, ctx.type(2), ctx.type(0).elem, ctx.shape(1), "a zero point"))
    return e;
  if (llvm::Error e =
          checkZeroPoint(ctx, ctx.type(5), ctx.type(3).elem, ctx.shape(4), "b zero point"))
    return e;
  for (auto [i, name] : {std::pair<size_t, const char *>{6, "y scale"}, {7, "y zero point"}})
    if (llvm::Error e = checkPerTensor(ctx, i, name))
      return e;
  if (auto a = alignMatMulParam(ctx, ctx.shape(0), ctx.shape(1), true, "a scale"); !a)
    return a.takeError();
  if (auto b = alignMatMulParam(ctx, ctx.shape(3), ctx.shape(4), false, "b scale"); !b)
    return b.takeError();
  auto shape = matMulOutputShape(ctx, ctx.shape(0), ctx.shape(3));
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{Type(ctx.type(7).elem, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferConvInteger(const InferContext &ctx) {
  // x, w, x_zero_point, w_zero_point
  if (llvm::Error e = checkByteType(ctx, 0, "x"))
    return e;
  if (llvm::Error e = checkByteType(ctx, 1, "w"))
    return e;
  if (ctx.has(2)) {
    if (llvm::Error e = checkElem(ctx, 2, "x zero point", ctx.type(0).elem))
      return e;
    if (llvm::Error e = checkPerTensor(ctx, 2, "x zero point"))
      return e;
  }
  if (ctx.has(3)) {
    if (llvm::Error e = checkElem(ctx, 3, "w zero point", ctx.type(1).elem))
      return e;
    if (llvm::Error e = checkPerChannel(ctx, 3, "w zero point", weightChannels(ctx.shape(1))))
      return e;
  }
  auto shape = convOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{Type(ElemType::I32, std::move(*shape))};
}

llvm::Expected<std::vector<Type>> inferMatMulInteger(const InferContext &ctx) {
  // A, B, a_zero_point, b_zero_point
  if (llvm::Error e = checkByteType(ctx, 0, "A"))
    return e;
  if (llvm::Error e = checkByteType(ctx, 1, "B"))
    return e;
  if (ctx.has(2)) {
    if (llvm::Error e = checkElem(ctx, 2, "a zero point", ctx.type(0).elem))
      return e;
    if (auto a = alignMatMulParam(ctx, ctx.shape(0), ctx.shape(2), true, "a zero point"); !a)
      return a.takeError();
  }
  if (ctx.has(3)) {
    if (llvm::Error e = checkElem(ctx, 3, "b zero point", ctx.type(1).elem))
      return e;
    if (auto b = alignMatMulParam(ctx, ctx.shape(1), ctx.shape(3), false, "b zero point"); !b)
      return b.takeError();
  }
  auto shape = matMulOutputShape(ctx, ctx.shape(0), ctx.shape(1));
  if (!shape)
    return shape.takeError();
  return std::vector<Type>{Type(ElemType::I32, std::move(*shape))};
}

} // namespace qc::ir::infer
