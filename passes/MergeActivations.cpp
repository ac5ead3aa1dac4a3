// merge-activations: a Relu and a Clip in a row (PyTorch exports ReLU6 as
// Relu -> Clip(0, 6)) become one Clip, so the fold passes see a single
// activation to fuse into the requantization clamp.
#include <algorithm>
#include <limits>
#include <set>

#include "passes/Pass.h"
#include "passes/QdqMatch.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {
using ir::Node;
using ir::OpKind;
using ir::Value;

// The constant scalar bound of a Clip (operand 1 or 2), or `fallback` when
// absent; nullopt when it is not a constant f32 scalar.
std::optional<float> clipBound(const Node &clip, size_t index, float fallback) {
  const Value *bound = clip.operand(index);
  if (!bound)
    return fallback;
  if (!bound->isConstant() || bound->constant()->numElements() != 1 ||
      bound->type().elem != ir::ElemType::F32)
    return std::nullopt;
  return float(bound->constant()->getDouble(0));
}

class MergeActivations : public Pass {
public:
  llvm::StringRef name() const override { return "merge-activations"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    std::set<const Node *> erased; // merged nodes still in the snapshot
    for (Node *first : graph.nodes()) {
      if (erased.count(first))
        continue;
      if (first->kind() != OpKind::Relu && first->kind() != OpKind::Clip)
        continue;
      Value *mid = first->result();
      // The intermediate must feed only the second activation.
      if (!mid->hasOneUse() || isGraphOutput(graph, mid))
        continue;
      Node *second = mid->uses().front().user;
      if (mid->uses().front().operandIndex != 0 ||
          (second->kind() != OpKind::Relu && second->kind() != OpKind::Clip) ||
          second->kind() == first->kind() || mid->type().elem != ir::ElemType::F32)
        continue;
      Node *clip = first->kind() == OpKind::Clip ? first : second;
      auto lo = clipBound(*clip, 1, -std::numeric_limits<float>::infinity());
      auto hi = clipBound(*clip, 2, std::numeric_limits<float>::infinity());
      // Only constant bounds merge; NaN-free ordering is what makes
      // max(0, clamp(x, lo, hi)) == clamp(x, max(0, lo), max(0, hi)).
      if (!lo || !hi || !(*lo <= *hi))
        continue;
      // Relu -> Clip(lo, hi)  or  Clip(lo, hi) -> Relu  =>  Clip(max(0, lo), max(0, hi))
      Value *bounds[2] = {
          graph.addConstant(graph.uniqueName("clip.min"),
                            ir::Tensor::scalarFloat(ir::ElemType::F32, std::max(0.0f, *lo))),
          graph.addConstant(graph.uniqueName("clip.max"),
                            ir::Tensor::scalarFloat(ir::ElemType::F32, std::max(0.0f, *hi)))};
      Node *merged =
          graph.createNode(OpKind::Clip, {first->operand(0), bounds[0], bounds[1]},
                           {{graph.uniqueName(second->result()->name() + ".merged"),
                             second->result()->type()}},
                           second);
      merged->setName(second->name());
      erased.insert(first);
      erased.insert(second);
      replaceFolded(graph, second->result(), merged, {second, first});
      changed = true;
    }
    graph.removeDeadCode();
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createMergeActivations() { return std::make_unique<MergeActivations>(); }

} // namespace qc::passes
