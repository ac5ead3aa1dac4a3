// Reference kernels for the Pool op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalMaxPool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalAveragePool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGlobalAveragePool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalGlobalMaxPool(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
