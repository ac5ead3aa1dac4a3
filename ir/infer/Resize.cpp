// Shape and type inference for the Resize op family.
#include "ir/infer/InferRules.h"

namespace qc::ir::infer {

llvm::Expected<std::vector<Type>> inferResize(const InferContext &ctx) {
  return ctx.error("shape inference not implemented");
}

} // namespace qc::ir::infer
