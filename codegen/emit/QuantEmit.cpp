// Helpers shared by the int8 emitters (QuantEmit.h).
#include "codegen/emit/QuantEmit.h"

#include <algorithm>

#include "llvm/Support/FormatVariadic.h"

namespace qc::codegen {

std::optional<int32_t> q8TypeCode(ir::ElemType t) {
  switch (t) {
  case ir::ElemType::U8: return QC_Q8_U8;
  case ir::ElemType::I8: return QC_Q8_S8;
  case ir::ElemType::F32: return QC_Q8_F32;
  case ir::ElemType::I32: return QC_Q8_I32;
  default: return std::nullopt;
  }
}

llvm::Expected<OutputStage> outputStageOf(const EmitContext &ctx, bool allowFloat) {
  const ir::Type &type = ctx.results[0].type();
  OutputStage s;
  if (!type.quant) {
    if (type.elem != ir::ElemType::F32 || !allowFloat)
      return ctx.error(llvm::formatv("result type {0} is not supported (u8/s8 quantized{1})",
                                     type.str(), allowFloat ? " or f32" : ""));
    return s;
  }
  if (type.elem != ir::ElemType::U8 && type.elem != ir::ElemType::I8)
    return ctx.error(llvm::formatv("result type {0} is not supported (u8/s8 quantized{1})",
                                   type.str(), allowFloat ? " or f32" : ""));
  if (!type.quant->isPerTensor())
    return ctx.error("a per-axis quantized result is not supported");
  s.isFloat = false;
  s.type = *q8TypeCode(type.elem);
  s.scale = type.quant->scales[0];
  s.zeroPoint = int32_t(type.quant->zeroPoints[0]);
  int64_t lo = ir::elemTypeMin(type.elem), hi = ir::elemTypeMax(type.elem);
  const ir::Node &n = ctx.node;
  if (std::optional<int64_t> v = n.findInt(ir::AttrName::act_min))
    lo = std::max(lo, *v);
  if (std::optional<int64_t> v = n.findInt(ir::AttrName::act_max))
    hi = std::min(hi, *v);
  s.lo = int32_t(lo);
  s.hi = int32_t(hi);
  return s;
}

llvm::Expected<std::pair<double, int32_t>> perTensorQuant(const EmitContext &ctx, unsigned i) {
  const Operand &op = ctx.operands[i];
  const ir::Type &type = op.type();
  if (type.elem != ir::ElemType::U8 && type.elem != ir::ElemType::I8)
    return ctx.error(llvm::formatv("operand {0} has type {1}; u8/s8 expected", i, type.str()));
  if (!type.quant || !type.quant->isPerTensor())
    return ctx.error(llvm::formatv("operand {0} is not per-tensor quantized", i));
  return std::make_pair(type.quant->scales[0], int32_t(type.quant->zeroPoints[0]));
}

} // namespace qc::codegen
