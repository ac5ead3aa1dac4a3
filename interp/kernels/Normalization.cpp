// Reference kernels for the Normalization op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalSoftmax(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalBatchNormalization(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

llvm::Error evalLayerNormalization(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
