// Shape and type inference for the Linear op family.
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferConv(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferConvTranspose(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferMatMul(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferGemm(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
