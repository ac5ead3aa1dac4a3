// Small helpers shared by passes.
#pragma once

#include <vector>

#include "ir/Graph.h"
#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"

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

/// The fold passes' driver: collects the nodes `isCandidate(node)` selects
/// first (a fold erases nodes around its own, so the graph's list must not
/// be walked while rewriting), then calls `tryFold(node)` on each one no
/// earlier fold erased. Returns whether any call returned true.
template <typename IsCandidate, typename TryFold>
bool foldEach(ir::Graph &graph, IsCandidate isCandidate, TryFold tryFold) {
  std::vector<ir::Node *> candidates;
  for (ir::Node *node : graph.nodes())
    if (isCandidate(*node))
      candidates.push_back(node);
  bool changed = false;
  for (ir::Node *node : candidates)
    if (!node->isErased())
      changed |= tryFold(*node);
  return changed;
}

/// The plan/apply form of a fold: a failed `plan` becomes `node`'s remark
/// (why it stays float) and returns false; otherwise `apply(*plan)` rewrites.
template <typename Plan, typename Apply>
bool applyOrRemark(ir::Node &node, llvm::Expected<Plan> plan, Apply apply) {
  if (!plan) {
    node.setRemark(llvm::toString(plan.takeError()));
    return false;
  }
  apply(*plan);
  return true;
}

} // namespace qc::passes
