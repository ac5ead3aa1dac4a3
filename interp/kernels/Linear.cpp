// Reference kernels for the Linear op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalConv(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalConvTranspose(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalMatMul(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGemm(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
