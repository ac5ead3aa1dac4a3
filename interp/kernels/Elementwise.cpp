// Reference kernels for the Elementwise op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalAdd(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSub(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMul(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalDiv(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalPow(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMin(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMax(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSum(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMean(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSqrt(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalExp(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalLog(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalErf(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalNeg(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalAbs(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalReciprocal(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalFloor(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalCeil(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalRound(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalRelu(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalLeakyRelu(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalPRelu(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalClip(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSigmoid(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalHardSigmoid(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalHardSwish(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalTanh(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGelu(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalWhere(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalEqual(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalLess(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalLessOrEqual(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGreater(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGreaterOrEqual(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalNot(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalAnd(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalOr(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalCast(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalIdentity(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalDropout(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
