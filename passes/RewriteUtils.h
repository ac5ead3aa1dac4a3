// Small helpers shared by passes.
#pragma once

#include "ir/Graph.h"
#include "llvm/ADT/ArrayRef.h"

namespace qc::passes {

/// Replaces every use of `from` by `to` (from's producer is left for dead
/// code removal). When `from` is a graph output, `to` takes over its name
/// (outputs keep the names the user declared) — unless `to` is itself a
/// graph input, constant or output, whose name must stay; then nothing is
/// replaced and false is returned.
bool replaceValue(ir::Graph &graph, ir::Value *from, ir::Value *to);

/// Erases `node` (null is ignored) when none of its results is used or a
/// graph output.
void eraseIfDead(ir::Graph &graph, ir::Node *node);

/// Ends a fold: `folded` (a new node, created before the old chain's last
/// node) takes over `replaced`, the old chain's result: its uses and its name.
/// Then the `chain` nodes (consumers first; null entries are skipped) that
/// have become dead are erased.
void replaceFolded(ir::Graph &graph, ir::Value *replaced, ir::Node *folded,
                   llvm::ArrayRef<ir::Node *> chain);

} // namespace qc::passes
