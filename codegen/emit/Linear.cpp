// qc.QConv and qc.QMatMul: pick the kernel family for the node.
#include "codegen/emit/Linear.h"

namespace qc::codegen {

bool isDepthwiseQConv(const EmitContext &ctx) {
  const ir::Node &n = ctx.node;
  int64_t group = 1;
  if (const ir::AttrValue *g = n.findAttr(ir::AttrName::group))
    group = std::get<int64_t>(*g);
  const Operand &x = ctx.operands[0];
  const Operand &y = ctx.results[0];
  if (x.rank() != 4 || y.rank() != 4)
    return false;
  int64_t c = x.shape[1], m = y.shape[1];
  return group > 1 && group == c && m % c == 0;
}

llvm::Expected<std::vector<KernelCall>> emitQConv(const EmitContext &ctx) {
  return isDepthwiseQConv(ctx) ? emitQConvDepthwise(ctx) : emitQConvGemm(ctx);
}

llvm::Expected<std::vector<KernelCall>> emitQMatMul(const EmitContext &ctx) {
  return ctx.operands[1].constant() ? emitQMatMulGemm(ctx) : emitQMatMulActAct(ctx);
}

} // namespace qc::codegen
