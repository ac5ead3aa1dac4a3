// Shape and type inference for the Elementwise op family.
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferAdd(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSub(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferMul(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferDiv(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferPow(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferMin(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferMax(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSum(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferMean(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSqrt(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferExp(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferLog(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferErf(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferNeg(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferAbs(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferReciprocal(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferFloor(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferCeil(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferRound(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferRelu(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferLeakyRelu(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferPRelu(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferClip(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSigmoid(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferHardSigmoid(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferHardSwish(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferTanh(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferGelu(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferWhere(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferEqual(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferLess(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferLessOrEqual(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferGreater(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferGreaterOrEqual(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferNot(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferAnd(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferOr(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferCast(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferIdentity(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferDropout(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
