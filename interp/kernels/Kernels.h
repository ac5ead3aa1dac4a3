// Per-op kernels of the reference interpreter, one function per op in
// ir/Ops.def, defined in the family files beside this header.
#pragma once

#include <vector>

#include "ir/Graph.h"
#include "ir/Tensor.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/Error.h"

namespace qc::interp {

struct EvalContext {
  const ir::Node &node;
  /// Per operand; null where the optional operand is absent.
  std::vector<const ir::Tensor *> inputs;
  /// Allocated (zero-filled) with the inferred types before the kernel runs.
  std::vector<ir::Tensor> outputs;

  bool has(size_t i) const { return i < inputs.size() && inputs[i]; }
  const ir::Tensor &in(size_t i) const { return *inputs[i]; }
  ir::Tensor &out(size_t i = 0) { return outputs[i]; }
  /// An error prefixed with the node.
  llvm::Error error(const llvm::Twine &message) const;
};

namespace kernels {
#define QC_OP(Kind, Name, MinIn, MaxIn, MinOut, MaxOut)                        \
  llvm::Error eval##Kind(EvalContext &ctx);
#include "ir/Ops.def"
} // namespace kernels

/// Maps each element of an output of shape `outDims` to the flat index of a
/// (numpy-)broadcast input of shape `inDims`: returns one index per output
/// element, in row-major order.
std::vector<int64_t> broadcastIndexMap(llvm::ArrayRef<int64_t> outDims,
                                       llvm::ArrayRef<int64_t> inDims);

/// Pad along one axis of `extent` elements with pads `begin`/`end` (negative:
/// crop): the input index result position `o` reads, or -1 for the constant.
/// `mode` is Pad's (constant, edge, reflect, wrap). Codegen builds its copy
/// tables with the same rule.
int64_t padSource(llvm::StringRef mode, int64_t o, int64_t extent, int64_t begin,
                  int64_t end);

} // namespace qc::interp
