// The reference interpreter: executes any IR graph with ONNX semantics.
// It is the oracle every pass and kernel is tested against, so it favours
// obviously-correct code (double accumulation where ONNX specifies float
// math, exact integer math) over speed.
#pragma once

#include <vector>

#include "ir/Graph.h"
#include "ir/Tensor.h"
#include "llvm/Support/Error.h"

namespace qc::interp {

/// Runs `graph` on `inputs` (one per graph input, in order; shapes must fit
/// the declared ones, symbolic dims bind to any extent consistently) and
/// returns one tensor per graph output.
llvm::Expected<std::vector<ir::Tensor>> run(const ir::Graph &graph,
                                            const std::vector<ir::Tensor> &inputs);

/// Evaluates a single node on concrete operands (null for absent optional
/// operands): infers the output types from the operands, allocates and runs
/// the kernel. Used by run() and by constant folding.
llvm::Expected<std::vector<ir::Tensor>>
evaluateNode(const ir::Node &node, const std::vector<const ir::Tensor *> &operands);

} // namespace qc::interp
