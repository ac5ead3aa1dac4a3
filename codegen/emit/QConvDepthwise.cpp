// Placeholder: the kernel family that owns this case has not landed yet.
#include "codegen/emit/Linear.h"

namespace qc::codegen {

llvm::Expected<std::vector<KernelCall>> emitQConvDepthwise(const EmitContext &ctx) {
  return ctx.error("no kernel for this case yet");
}

} // namespace qc::codegen
