// Shape and type inference for qc's integer ops (docs/quantized-ir.md).
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferQConv(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQConvTranspose(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQMatMul(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQAdd(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQMul(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferRequantize(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQLut(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQAveragePool(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQGlobalAveragePool(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQReduceMean(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQSoftmax(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferQLayerNorm(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
