// Shape and type inference for the DataMovement op family.
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferConcat(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSplit(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSlice(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferGather(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferReshape(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferFlatten(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferTranspose(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferSqueeze(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferUnsqueeze(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferPad(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferExpand(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferTile(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferShape(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferConstantOfShape(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

llvm::Expected<std::vector<Type>> inferRange(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
