// Small helpers shared by passes.
#pragma once

#include "ir/Graph.h"

namespace qc::passes {

/// Replaces every use of `from` by `to` (from's producer is left for dead
/// code removal). When `from` is a graph output, `to` takes over its name
/// (outputs keep the names the user declared) — unless `to` is itself a
/// graph input, constant or output, whose name must stay; then nothing is
/// replaced and false is returned.
bool replaceValue(ir::Graph &graph, ir::Value *from, ir::Value *to);

} // namespace qc::passes
