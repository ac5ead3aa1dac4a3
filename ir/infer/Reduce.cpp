// Shape and type inference for the Reduce op family.
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferReduceMean(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferReduceSum(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferReduceMax(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferReduceMin(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
