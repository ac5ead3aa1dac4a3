// Reference kernels for qc's integer ops (docs/quantized-ir.md).
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalQConv(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQConvTranspose(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQMatMul(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQAdd(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQMul(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalRequantize(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQLut(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQAveragePool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQGlobalAveragePool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQReduceMean(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQSoftmax(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQLayerNorm(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
