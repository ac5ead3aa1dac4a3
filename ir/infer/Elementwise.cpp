// Shape and type inference for the elementwise family: arithmetic,
// activations, comparisons, logic, Cast, Identity and Dropout.
#include "ir/infer/InferRules.h"

#include "llvm/Support/FormatVariadic.h"

namespace qc::ir::infer {

namespace {

// The element-type sets the ONNX schemas of these ops allow (newest opset).
// 4-bit types only pass through ops that merely move or convert data.
bool isFloatElem(ElemType t) { return isFloatType(t); }
bool isNumericElem(ElemType t) {
  return isFloatType(t) || (isIntegerType(t) && elemTypeBits(t) >= 8);
}
bool isSignedNumericElem(ElemType t) {
  return isNumericElem(t) && isSignedType(t);
}
bool isPowBaseElem(ElemType t) {
  return isFloatType(t) || t == ElemType::I32 || t == ElemType::I64;
}
bool isPReluElem(ElemType t) {
  return isFloatType(t) || t == ElemType::I32 || t == ElemType::I64 ||
         t == ElemType::U32 || t == ElemType::U64;
}
bool isBoolElem(ElemType t) { return t == ElemType::Bool; }

using ElemPredicate = bool (*)(ElemType);

llvm::Error checkElem(const InferContext &ctx, size_t i, ElemPredicate allowed,
                      llvm::StringRef what) {
  ElemType t = ctx.type(i).elem;
  if (allowed(t))
    return llvm::Error::success();
  return ctx.error(llvm::formatv("input {0} has element type {1}; expected {2}",
                                 i, elemTypeName(t), what));
}

llvm::Error checkSameElem(const InferContext &ctx, size_t i, size_t j) {
  if (ctx.type(i).elem == ctx.type(j).elem)
    return llvm::Error::success();
  return ctx.error(llvm::formatv(
      "input {0} has element type {1} but input {2} has {3}; they must match", j,
      elemTypeName(ctx.type(j).elem), i, elemTypeName(ctx.type(i).elem)));
}

llvm::Error checkAllPresent(const InferContext &ctx) {
  for (size_t i = 0; i < ctx.numOperands(); ++i)
    if (!ctx.has(i))
      return ctx.error(llvm::formatv("input {0} is missing", i));
  return llvm::Error::success();
}

// Unary op: one input of an allowed type, result of the same type and shape.
llvm::Expected<std::vector<Type>> inferUnary(const InferContext &ctx,
                                             ElemPredicate allowed,
                                             llvm::StringRef what) {
  if (llvm::Error e = checkElem(ctx, 0, allowed, what))
    return e;
  return std::vector<Type>{Type(ctx.type(0).elem, ctx.shape(0))};
}

// Broadcast of all operands' shapes, all of one element type in `allowed`.
// The result has `resultElem` if given, else the operands' type.
llvm::Expected<std::vector<Type>>
inferBroadcast(const InferContext &ctx, ElemPredicate allowed, llvm::StringRef what,
               std::optional<ElemType> resultElem = std::nullopt) {
  if (llvm::Error e = checkAllPresent(ctx))
    return e;
  if (llvm::Error e = checkElem(ctx, 0, allowed, what))
    return e;
  Shape shape = ctx.shape(0);
  for (size_t i = 1; i < ctx.numOperands(); ++i) {
    if (llvm::Error e = checkSameElem(ctx, 0, i))
      return e;
    auto s = broadcastShapes(ctx, shape, ctx.shape(i));
    if (!s)
      return s.takeError();
    shape = std::move(*s);
  }
  return std::vector<Type>{Type(resultElem.value_or(ctx.type(0).elem), shape)};
}

constexpr const char *kFloatTypes = "a float type (f32, f64, f16, bf16)";
constexpr const char *kNumericTypes = "a float or 8- to 64-bit integer type";
constexpr const char *kSignedTypes = "a float or signed 8- to 64-bit integer type";

// Operand i must hold a single element (rank 0, or [1] as some exporters
// write); symbolic extents are checked when known.
llvm::Error checkScalarOperand(const InferContext &ctx, size_t i,
                               llvm::StringRef name) {
  const Shape &s = ctx.shape(i);
  if (!s.isStatic() || s.numElements() == 1)
    return llvm::Error::success();
  return ctx.error(llvm::formatv("{0} must be a scalar, got shape [{1}]", name,
                                 s.str()));
}

} // namespace

llvm::Expected<std::vector<Type>> inferAdd(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferSub(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferMul(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferDiv(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferPow(const InferContext &ctx) {
  // The exponent may have another type than the base; the result has the
  // base's type.
  if (llvm::Error e = checkElem(ctx, 0, isPowBaseElem,
                                "a float type, i32 or i64 for the base"))
    return e;
  if (llvm::Error e = checkElem(ctx, 1, isNumericElem, kNumericTypes))
    return e;
  auto s = broadcastShapes(ctx, ctx.shape(0), ctx.shape(1));
  if (!s)
    return s.takeError();
  return std::vector<Type>{Type(ctx.type(0).elem, *s)};
}

llvm::Expected<std::vector<Type>> inferMin(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferMax(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferSum(const InferContext &ctx) {
  return inferBroadcast(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferMean(const InferContext &ctx) {
  return inferBroadcast(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferSqrt(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferExp(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferLog(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferErf(const InferContext &ctx) {
  // ONNX also lists integer types for Erf, whose results are meaningless
  // (erf of a nonzero integer truncates to 0); qc accepts floats only.
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferNeg(const InferContext &ctx) {
  return inferUnary(ctx, isSignedNumericElem, kSignedTypes);
}

llvm::Expected<std::vector<Type>> inferAbs(const InferContext &ctx) {
  return inferUnary(ctx, isNumericElem, kNumericTypes);
}

llvm::Expected<std::vector<Type>> inferReciprocal(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferFloor(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferCeil(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferRound(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferRelu(const InferContext &ctx) {
  return inferUnary(ctx, isSignedNumericElem, kSignedTypes);
}

llvm::Expected<std::vector<Type>> inferLeakyRelu(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferPRelu(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, 0, isPReluElem,
                                "a float type, i32, i64, u32 or u64"))
    return e;
  if (llvm::Error e = checkSameElem(ctx, 0, 1))
    return e;
  // Unidirectional broadcast: the slope must broadcast to X's shape.
  const Shape &x = ctx.shape(0), &slope = ctx.shape(1);
  if (x.isRanked() && slope.isRanked()) {
    auto mismatch = [&] {
      return ctx.error(llvm::formatv("slope shape [{0}] does not broadcast to "
                                     "input shape [{1}]",
                                     slope.str(), x.str()));
    };
    if (slope.rank() > x.rank())
      return mismatch();
    for (size_t i = 0; i < slope.rank(); ++i) {
      const Dim &ds = slope[i], &dx = x[i + x.rank() - slope.rank()];
      // Symbolic dims are checked when the extents are known.
      if (ds.isStatic() && ds.value() != 1 && dx.isStatic() &&
          ds.value() != dx.value())
        return mismatch();
    }
  }
  return std::vector<Type>{Type(ctx.type(0).elem, x)};
}

llvm::Expected<std::vector<Type>> inferClip(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, 0, isNumericElem, kNumericTypes))
    return e;
  static constexpr const char *kBoundNames[] = {"", "min", "max"};
  for (size_t i = 1; i < 3; ++i) {
    if (!ctx.has(i))
      continue; // absent bound: no clamping on that side
    if (llvm::Error e = checkSameElem(ctx, 0, i))
      return e;
    if (llvm::Error e = checkScalarOperand(ctx, i, kBoundNames[i]))
      return e;
  }
  return std::vector<Type>{Type(ctx.type(0).elem, ctx.shape(0))};
}

llvm::Expected<std::vector<Type>> inferSigmoid(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferHardSigmoid(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferHardSwish(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferTanh(const InferContext &ctx) {
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferGelu(const InferContext &ctx) {
  const std::string &approximate = ctx.node.getString(AttrName::approximate);
  if (approximate != "none" && approximate != "tanh")
    return ctx.error("approximate must be 'none' or 'tanh', got '" + approximate +
                     "'");
  return inferUnary(ctx, isFloatElem, kFloatTypes);
}

llvm::Expected<std::vector<Type>> inferWhere(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, 0, isBoolElem, "bool for the condition"))
    return e;
  if (llvm::Error e = checkSameElem(ctx, 1, 2))
    return e;
  auto s = broadcastShapes(ctx, ctx.shape(0), ctx.shape(1));
  if (!s)
    return s.takeError();
  auto s2 = broadcastShapes(ctx, *s, ctx.shape(2));
  if (!s2)
    return s2.takeError();
  return std::vector<Type>{Type(ctx.type(1).elem, *s2)};
}

namespace {
bool isNumericOrBoolElem(ElemType t) { return isNumericElem(t) || isBoolElem(t); }
} // namespace

llvm::Expected<std::vector<Type>> inferEqual(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericOrBoolElem, "a numeric type or bool",
                        ElemType::Bool);
}

llvm::Expected<std::vector<Type>> inferLess(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes, ElemType::Bool);
}

llvm::Expected<std::vector<Type>> inferLessOrEqual(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes, ElemType::Bool);
}

llvm::Expected<std::vector<Type>> inferGreater(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes, ElemType::Bool);
}

llvm::Expected<std::vector<Type>> inferGreaterOrEqual(const InferContext &ctx) {
  return inferBroadcast(ctx, isNumericElem, kNumericTypes, ElemType::Bool);
}

llvm::Expected<std::vector<Type>> inferNot(const InferContext &ctx) {
  return inferUnary(ctx, isBoolElem, "bool");
}

llvm::Expected<std::vector<Type>> inferAnd(const InferContext &ctx) {
  return inferBroadcast(ctx, isBoolElem, "bool");
}

llvm::Expected<std::vector<Type>> inferOr(const InferContext &ctx) {
  return inferBroadcast(ctx, isBoolElem, "bool");
}

llvm::Expected<std::vector<Type>> inferCast(const InferContext &ctx) {
  std::optional<ElemType> to = ctx.node.findElem(AttrName::to);
  if (!to)
    return ctx.error("attribute 'to' is required");
  return std::vector<Type>{Type(*to, ctx.shape(0))};
}

llvm::Expected<std::vector<Type>> inferIdentity(const InferContext &ctx) {
  return std::vector<Type>{ctx.type(0)}; // quantization parameters included
}

llvm::Expected<std::vector<Type>> inferDropout(const InferContext &ctx) {
  if (llvm::Error e = checkElem(ctx, 0, isFloatElem, kFloatTypes))
    return e;
  if (ctx.has(1)) {
    if (llvm::Error e = checkElem(ctx, 1, isFloatElem, "a float type for ratio"))
      return e;
    if (llvm::Error e = checkScalarOperand(ctx, 1, "ratio"))
      return e;
  }
  if (ctx.has(2)) {
    if (llvm::Error e = checkElem(ctx, 2, isBoolElem, "bool for training_mode"))
      return e;
    if (llvm::Error e = checkScalarOperand(ctx, 2, "training_mode"))
      return e;
    // Only inference is supported; a non-constant flag is checked at run time.
    const Tensor *training = ctx.value(2);
    if (training && training->numElements() == 1 && training->getInt(0) != 0)
      return ctx.error("training mode not supported");
  }
  std::vector<Type> types{ctx.type(0)};
  if (ctx.node.numResults() >= 2)
    types.emplace_back(ElemType::Bool, ctx.shape(0));
  return types;
}

} // namespace qc::ir::infer
