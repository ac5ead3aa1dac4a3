// Emitters of qc's linear ops, split by kernel family: qc.QConv and
// qc.QMatMul dispatch here (codegen/emit/Linear.cpp) to the family that
// owns the case.
#pragma once

#include "codegen/Emit.h"

namespace qc::codegen {

/// qc.QConv with group == C == M (one input channel per output channel,
/// optionally a channel multiplier): the depthwise kernels.
bool isDepthwiseQConv(const EmitContext &ctx);

/// qc.QConv, dense or grouped, as an implicit GEMM (QConvGemm.cpp).
llvm::Expected<std::vector<KernelCall>> emitQConvGemm(const EmitContext &ctx);
/// qc.QConv, depthwise (QConvDepthwise.cpp).
llvm::Expected<std::vector<KernelCall>> emitQConvDepthwise(const EmitContext &ctx);
/// qc.QMatMul with a constant right operand (QMatMulGemm.cpp).
llvm::Expected<std::vector<KernelCall>> emitQMatMulGemm(const EmitContext &ctx);
/// qc.QMatMul with two activations: attention's QK^T and PV
/// (QMatMulActAct.cpp).
llvm::Expected<std::vector<KernelCall>> emitQMatMulActAct(const EmitContext &ctx);

} // namespace qc::codegen
