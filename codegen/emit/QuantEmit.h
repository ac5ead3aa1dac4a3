// Helpers shared by the int8 emitters (depthwise conv, elementwise,
// quantize, pools): kernel type codes, the output stage of a requantizing op,
// and the fp32 multipliers of docs/quantized-ir.md.
#pragma once

#include <optional>

#include "codegen/Emit.h"
#include "codegen/kernels/Q8Types.h"

namespace qc::codegen {

/// The kernel type code of an element type, if the int8 kernels take it.
std::optional<int32_t> q8TypeCode(ir::ElemType t);

/// The output stage of an op whose result is requantized (quantized u8/s8)
/// or written as f32: zero point and clamp range (with act_min / act_max).
struct OutputStage {
  int32_t type = QC_Q8_F32;
  bool isFloat = true;
  double scale = 1.0; // 1 for an f32 result
  int32_t zeroPoint = 0, lo = 0, hi = 0;

  /// The multiplier of accumulators in units of inScale: float(inScale /
  /// scale) for a quantized result, float(inScale) for f32.
  float factor(double inScale) const {
    return isFloat ? float(inScale) : float(inScale / scale);
  }
};

/// Reads result 0 of ctx.node: u8/s8 per-tensor quantized, or f32 when
/// `allowFloat`.
llvm::Expected<OutputStage> outputStageOf(const EmitContext &ctx, bool allowFloat = true);

/// Operand i's per-tensor quantization (scale, zero point), or an error
/// naming the node.
llvm::Expected<std::pair<double, int32_t>> perTensorQuant(const EmitContext &ctx, unsigned i);

} // namespace qc::codegen
