// Reference kernels for the DataMovement op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalConcat(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSplit(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSlice(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGather(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalReshape(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalFlatten(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalTranspose(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalSqueeze(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalUnsqueeze(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalPad(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalExpand(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalTile(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalShape(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalConstantOfShape(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalRange(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
