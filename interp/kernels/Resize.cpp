// Reference kernels for the Resize op family.
#include "interp/kernels/Kernels.h"

namespace qc::interp::kernels {

llvm::Error evalResize(EvalContext &ctx) {
  return ctx.error("not implemented in the interpreter");
}

} // namespace qc::interp::kernels
