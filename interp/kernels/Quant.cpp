// Reference kernels for the Quant op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalQuantizeLinear(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalDequantizeLinear(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalDynamicQuantizeLinear(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQLinearConv(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalQLinearMatMul(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalConvInteger(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMatMulInteger(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
