// Structural checks of a graph: SSA (every operand defined before use),
// use lists consistent, op arity and attribute kinds per Ops.def/OpAttrs.def,
// unique names, outputs defined, recorded result types consistent with shape
// inference. Runs after every pass in tests and with --verify-each.
#pragma once

#include "ir/Graph.h"
#include "llvm/Support/Error.h"

namespace qc::ir {

llvm::Error verifyGraph(const Graph &graph);

} // namespace qc::ir
