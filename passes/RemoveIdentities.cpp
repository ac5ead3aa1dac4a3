// remove-identities: Identity and inference-mode Dropout forward their input.
#include "passes/Pass.h"
#include "passes/RewriteUtils.h"

namespace qc::passes {

namespace {
class RemoveIdentities : public Pass {
public:
  llvm::StringRef name() const override { return "remove-identities"; }

  llvm::Expected<bool> run(ir::Graph &graph) override {
    bool changed = false;
    for (ir::Node *node : graph.nodes()) {
      if (node->kind() != ir::OpKind::Identity && node->kind() != ir::OpKind::Dropout)
        continue;
      // Dropout's mask output has no source to forward to.
      if (node->numResults() > 1 && !node->result(1)->uses().empty())
        continue;
      // A training-mode Dropout is not an identity.
      if (node->kind() == ir::OpKind::Dropout) {
        const ir::Value *training = node->operand(2);
        if (training && (!training->isConstant() || training->constant()->getInt(0) != 0))
          continue;
      }
      // Identity -> x  =>  x
      changed |= replaceValue(graph, node->result(0), node->operand(0));
    }
    graph.removeDeadCode();
    return changed;
  }
};
} // namespace

std::unique_ptr<Pass> createRemoveIdentities() { return std::make_unique<RemoveIdentities>(); }

} // namespace qc::passes
