// Reference kernels for the Reduce op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalReduceMean(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalReduceSum(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalReduceMax(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalReduceMin(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
