// Compile-time side of the int8 implicit-GEMM kernels (kernels/Qs8Gemm.h):
// micro-tile choice, weight packing, zero-point folding into the bias,
// requantization multipliers, and the int32 overflow check.
#pragma once

#include <functional>

#include "codegen/Emit.h"
#include "codegen/kernels/Qs8Gemm.h"

namespace qc::codegen {

/// A GEMM over a constant weight as qc.QConv and qc.QMatMul present it:
///   acc[row, m] = sum_{tap, c} (x[row, tap, c] - zx) * (w[m, tap, c] - zw[m]) + bias[m]
/// with output channel m = g * groupOut + j reading the input channels of
/// group g.
struct GemmWeights {
  int64_t groups = 1, groupIn = 0, groupOut = 0, taps = 1;
  /// Stored value of weight (m, tap, c), m a global output channel.
  std::function<int64_t(int64_t m, int64_t tap, int64_t c)> weight;
  ir::ElemType weightType = ir::ElemType::I8;
  const ir::QuantParams *weightQuant = nullptr; // per tensor or per m
  const ir::Tensor *bias = nullptr;             // i32 [groups * groupOut] or null
};

/// Fills the weight-, quantization- and tile-dependent fields of `params`
/// (groups, group_in, group_out, mr, nrv, n_blocks, input/output
/// quantization) and returns consts[0..4]; the caller fills the geometry and
/// row_tiles. `rows` (output pixels per sample) guides the tile choice.
/// Fails, naming the node, on unsupported types or when the exact int32
/// accumulator could overflow.
llvm::Expected<std::vector<ConstBlob>> packGemm(const EmitContext &ctx, const GemmWeights &w,
                                                int64_t rows, qc_qs8_gemm_params &params);

/// The qc_qs8_gemm_isa index of `isa`.
int gemmIsaIndex(Isa isa);

} // namespace qc::codegen
